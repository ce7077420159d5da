import { describe, expect, it } from "@effect/vitest";
import { Effect, Result } from "effect";
import type { SourceCall } from "../SourceKind.ts";
import { parseTemplate } from "../templates.ts";
import { fixedOrigin, httpJsonKind } from "./httpJsonKind.ts";
import { sunPosition, sunPositionKind } from "./sunPositionKind.ts";

const call = (attributes: Record<string, string | number>, ts = "2025-06-21T11:08:20.000Z"): SourceCall => ({
  sourceId: "s",
  reading: { tenantId: "acme", deviceId: "d1", ts, values: { temp: 20 }, attributes, tags: [] },
  timeoutMs: 1000,
  secret: () => Effect.die("no secrets in this test"),
});

describe("http-json kind", () => {
  it("given URL templates, when their origin is checked, then the host must be fixed before any placeholder", () => {
    const origin = (url: string) => Result.flatMap(parseTemplate(url), fixedOrigin);
    expect(origin("https://api.example/v1?lat={attributes.lat}")).toEqual(Result.succeed("https://api.example"));
    expect(origin("http://127.0.0.1:8080")).toEqual(Result.succeed("http://127.0.0.1:8080"));
    for (const url of ["https://{attributes.host}/", "https://api.example{values.x}/", "{values.url}", "ftp://x/"]) {
      expect(Result.isFailure(origin(url)), url).toBe(true);
    }
  });

  it("given a reading, when planned, then readings at one rounded location share one cache key", () => {
    const options = { url: "https://api.example/now?lat={attributes.lat|round:2}&lon={attributes.lon|round:2}" };
    const a = httpJsonKind.plan(options, call({ lat: 52.5201, lon: 13.4049 }));
    const b = httpJsonKind.plan(options, call({ lat: 52.5249, lon: 13.4001 }));
    expect(Result.isSuccess(a) && a.success.cacheKey).toBe("GET https://api.example/now?lat=52.52&lon=13.4 ");
    expect(Result.isSuccess(b) && b.success.cacheKey).toBe(Result.isSuccess(a) && a.success.cacheKey);
  });

  it("given stored options that no longer decode, when planned, then the reason says so", () => {
    expect(Result.isFailure(httpJsonKind.plan({ url: 42 }, call({})))).toBe(true);
  });
});

describe("sun-position kind (no HTTP)", () => {
  it("given Berlin at the June solstice's solar noon, when computed, then the sun stands about 60.9° high in the south", () => {
    const position = sunPosition(52.52, 13.405, new Date("2025-06-21T11:08:00Z"));
    expect(position.elevationDeg).toBeCloseTo(60.92, 1);
    expect(position.azimuthDeg).toBeCloseTo(180, 0);
    expect(position.daylight).toBe(true);
    expect(sunPosition(52.52, 13.405, new Date("2025-06-21T23:08:00Z")).daylight).toBe(false);
  });

  it("given readings within one resolution window at one place, when planned, then they share a cache key", () => {
    const a = sunPositionKind.plan({}, call({ lat: 52.5201, lon: "13.405" }, "2025-06-21T11:06:00.000Z"));
    const b = sunPositionKind.plan({}, call({ lat: 52.5199, lon: 13.405 }, "2025-06-21T11:09:59.000Z"));
    expect(Result.isSuccess(a) && a.success.cacheKey).toBe("52.52|13.4|1750503900000");
    expect(Result.isSuccess(b) && b.success.cacheKey).toBe(Result.isSuccess(a) && a.success.cacheKey);
  });

  it("given a device without a position, when planned, then the reason names the attribute", () => {
    expect(sunPositionKind.plan({ latitudeAttribute: "latitude" }, call({ lat: 1, lon: 2 }))).toEqual(
      Result.fail("the device has no usable attribute latitude (degrees, within ±90)"),
    );
  });
});
