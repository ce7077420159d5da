/**
 * The simulated outside data: plausible, deterministic values derived from a hash of the inputs,
 * so a test can predict (or recompute with these functions) what the enrichment fetched.
 */
import { createHash } from "node:crypto";

/** Weather changes once per bucket: ten minutes, so a cache with a shorter TTL sees stable values. */
export const weatherBucketMs = 10 * 60 * 1000;

/** Fractions in [0, 1) derived from `key`; the same key always gives the same fractions. */
const fractionsOf = (key: string): ReadonlyArray<number> => {
  const digest = createHash("sha256").update(key).digest();
  return Array.from({ length: 8 }, (_, i) => digest.readUInt32BE(i * 4) / 2 ** 32);
};

const at = (fractions: ReadonlyArray<number>, index: number): number => fractions[index] ?? 0;
const round = (value: number, decimals: number): number => Number(value.toFixed(decimals));
const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, value));

/** What `GET /weather` answers. */
export interface Weather {
  readonly location: { readonly lat: number; readonly lon: number };
  readonly temperature_c: number;
  readonly humidity_pct: number;
  readonly wind_kph: number;
  /** Start of the time bucket the values belong to (ISO 8601). */
  readonly observed_at: string;
}

/**
 * Weather at a location: a climate from the latitude, a daily cycle from the local solar time,
 * and a little per-bucket noise, so values drift slowly rather than jump.
 *
 * @example
 * weatherAt(52.52, 13.405, new Date("2025-06-01T12:34:00Z")).observed_at // "2025-06-01T12:30:00.000Z"
 */
export const weatherAt = (lat: number, lon: number, now: Date): Weather => {
  const bucketStart = Math.floor(now.getTime() / weatherBucketMs) * weatherBucketMs;
  // Rounded so "52.52" and "52.520" are the same place.
  const place = fractionsOf(`place:${lat.toFixed(4)}:${lon.toFixed(4)}`);
  const noise = fractionsOf(`weather:${lat.toFixed(4)}:${lon.toFixed(4)}:${bucketStart}`);
  const utcHour = (bucketStart % 86_400_000) / 3_600_000;
  const localHour = (((utcHour + lon / 15) % 24) + 24) % 24;
  const daily = Math.sin((2 * Math.PI * (localHour - 9)) / 24); // warmest mid-afternoon
  const temperature = 28 - 0.45 * Math.abs(lat) + (at(place, 0) - 0.5) * 6 + 5 * daily + (at(noise, 0) - 0.5);
  const humidity = 35 + at(place, 1) * 40 - 10 * daily + (at(noise, 1) - 0.5) * 4;
  const wind = at(place, 2) * 25 + Math.abs(Math.sin(bucketStart / (6 * weatherBucketMs) + at(place, 3) * 6)) * 10;
  return {
    location: { lat, lon },
    temperature_c: round(temperature, 1),
    humidity_pct: round(clamp(humidity, 3, 100), 1),
    wind_kph: round(wind + at(noise, 2), 1),
    observed_at: new Date(bucketStart).toISOString(),
  };
};

/** What `GET /air-quality` answers. */
export interface AirQuality {
  readonly site: string;
  /** Fine particles, µg/m³. */
  readonly pm25: number;
  /** Coarse particles, µg/m³ (never below pm25). */
  readonly pm10: number;
  /** US EPA air quality index (2024 breakpoints), the worse of the two pollutants. */
  readonly aqi: number;
}

type Breakpoint = readonly [concentrationLow: number, concentrationHigh: number, indexLow: number, indexHigh: number];

const pm25Breakpoints: ReadonlyArray<Breakpoint> = [
  [0, 9, 0, 50],
  [9.1, 35.4, 51, 100],
  [35.5, 55.4, 101, 150],
  [55.5, 125.4, 151, 200],
  [125.5, 225.4, 201, 300],
  [225.5, 325.4, 301, 500],
];
const pm10Breakpoints: ReadonlyArray<Breakpoint> = [
  [0, 54, 0, 50],
  [55, 154, 51, 100],
  [155, 254, 101, 150],
  [255, 354, 151, 200],
  [355, 424, 201, 300],
  [425, 604, 301, 500],
];

const indexFor = (concentration: number, breakpoints: ReadonlyArray<Breakpoint>): number => {
  const band = breakpoints.find(([, high]) => concentration <= high) ?? breakpoints[breakpoints.length - 1];
  if (band === undefined) return 0;
  const [cLow, cHigh, iLow, iHigh] = band;
  return Math.round(((iHigh - iLow) / (cHigh - cLow)) * (Math.max(concentration, cLow) - cLow) + iLow);
};

/**
 * Air quality at a monitoring site, fixed per site name. Mostly clean air, sometimes polluted.
 *
 * @example
 * airQualityAt("berlin-mitte") // { site: "berlin-mitte", pm25: ..., pm10: ..., aqi: ... }, the same every call
 */
export const airQualityAt = (site: string): AirQuality => {
  const [a = 0, b = 0] = fractionsOf(`air:${site}`);
  const pm25 = round(2 + a ** 2 * 150, 1); // squared: most sites clean, a few bad
  const pm10 = round(pm25 * (1.2 + b), 1);
  return { site, pm25, pm10, aqi: Math.max(indexFor(pm25, pm25Breakpoints), indexFor(pm10, pm10Breakpoints)) };
};

/** What `GET /devices/{id}/calibration` answers: corrected = raw * scale + offset. */
export interface Calibration {
  readonly deviceId: string;
  readonly offset: number;
  readonly scale: number;
}

/**
 * A device's calibration, fixed per device id: offset in [-2, 2), scale in [0.95, 1.05).
 *
 * @example
 * calibrationOf("dev-1") // { deviceId: "dev-1", offset: ..., scale: ... }, the same every call
 */
export const calibrationOf = (deviceId: string): Calibration => {
  const [a = 0, b = 0] = fractionsOf(`calibration:${deviceId}`);
  return { deviceId, offset: round((a - 0.5) * 4, 3), scale: round(0.95 + b * 0.1, 4) };
};
