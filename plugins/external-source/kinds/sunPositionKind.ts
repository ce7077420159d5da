/**
 * The `sun-position` kind: a source that fetches nothing. It computes where the sun
 * stands at the device's location (attributes) at the reading's time — elevation,
 * azimuth, daylight — so that, say, a solar panel's output can be compared with what the
 * sun allows. It is the example of a kind in one file: options, a plan with a cache key,
 * and an effect that produces the document the mapping reads. The plugin still applies
 * its cache, breaker and rate limit around it, as for any kind.
 *
 * Source example:
 * `{"sourceId": "sun", "name": "Sun", "kind": "sun-position", "mapping": {"sun_elevation": "/elevationDeg"}}`
 */
import { Effect, Result, Schema } from "effect";
import { defineSourceKind, type SourceReading } from "../SourceKind.ts";

const AttributeName = Schema.String.check(Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9_:-]{0,63}$/));

export const SunPositionOptions = Schema.Struct({
  /** Attributes holding the device's position in degrees (default "lat" and "lon"). */
  latitudeAttribute: Schema.optionalKey(AttributeName),
  longitudeAttribute: Schema.optionalKey(AttributeName),
  /** Readings within this many minutes share one computation (default 5). */
  resolutionMinutes: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 60 }))),
});

export interface SunPosition {
  /** Degrees above the horizon (negative: below). */
  readonly elevationDeg: number;
  /** Degrees clockwise from north. */
  readonly azimuthDeg: number;
  readonly daylight: boolean;
}

const rad = Math.PI / 180;
const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * The sun's position (low-precision solar formulas, about 0.1° for current dates).
 *
 * @example
 * sunPosition(52.52, 13.405, new Date("2025-06-21T11:08:00Z")).elevationDeg // ≈ 60.9
 */
export const sunPosition = (latitude: number, longitude: number, at: Date): SunPosition => {
  const days = at.getTime() / 86_400_000 + 2_440_587.5 - 2_451_545.0;
  const meanAnomaly = (357.529 + 0.98560028 * days) * rad;
  const meanLongitude = 280.459 + 0.98564736 * days;
  const eclipticLongitude = (meanLongitude + 1.915 * Math.sin(meanAnomaly) + 0.02 * Math.sin(2 * meanAnomaly)) * rad;
  const obliquity = (23.439 - 0.00000036 * days) * rad;
  const rightAscension = Math.atan2(Math.cos(obliquity) * Math.sin(eclipticLongitude), Math.cos(eclipticLongitude));
  const declination = Math.asin(Math.sin(obliquity) * Math.sin(eclipticLongitude));
  const siderealDeg = (18.697374558 + 24.06570982441908 * days) * 15 + longitude;
  const hourAngle = (siderealDeg * rad - rightAscension) % (2 * Math.PI);
  const lat = latitude * rad;
  const elevation = Math.asin(
    Math.sin(lat) * Math.sin(declination) + Math.cos(lat) * Math.cos(declination) * Math.cos(hourAngle),
  );
  const azimuth = Math.atan2(
    -Math.sin(hourAngle),
    Math.tan(declination) * Math.cos(lat) - Math.sin(lat) * Math.cos(hourAngle),
  );
  const elevationDeg = round2(elevation / rad);
  return { elevationDeg, azimuthDeg: round2((((azimuth / rad) % 360) + 360) % 360), daylight: elevationDeg > -0.83 };
};

const degrees = (reading: SourceReading, name: string, limit: number): Result.Result<number, string> => {
  const raw = reading.attributes[name];
  const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
  return typeof value === "number" && Number.isFinite(value) && Math.abs(value) <= limit
    ? Result.succeed(value)
    : Result.fail(`the device has no usable attribute ${name} (degrees, within ±${limit})`);
};

/**
 * @example
 * api.extend(sourceKindExtensionPoint, sunPositionKind);
 */
export const sunPositionKind = defineSourceKind({
  kind: "sun-position",
  description: "Computes the sun's elevation and azimuth at the device's lat/lon attributes and the reading's time",
  options: SunPositionOptions,
  plan: (options, call) =>
    Result.gen(function* () {
      // Two decimals (about 1 km): nearby devices share one computation and one cache entry.
      const latitude = Number((yield* degrees(call.reading, options.latitudeAttribute ?? "lat", 90)).toFixed(2));
      const longitude = Number((yield* degrees(call.reading, options.longitudeAttribute ?? "lon", 180)).toFixed(2));
      const bucketMs = (options.resolutionMinutes ?? 5) * 60_000;
      const at = Math.floor(Date.parse(call.reading.ts) / bucketMs) * bucketMs;
      return {
        cacheKey: `${latitude}|${longitude}|${at}`,
        fetch: Effect.sync(() => sunPosition(latitude, longitude, new Date(at))),
      };
    }),
});
