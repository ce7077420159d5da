import { describe, expect, it } from "@effect/vitest";
import { applyMapping, resolvePointer } from "./responseMapping.ts";

const weather = {
  location: { lat: 52.52, lon: 13.4 },
  temperature_c: 12.5,
  humidity_pct: 80,
  daily: [{ max: 18 }, { max: 21 }],
  "a/b": { "c~d": true },
  note: "x".repeat(300),
  missing: null,
};

describe("response mapping (JSON pointers)", () => {
  it("given pointers into members, elements and escaped names, when resolved, then the values come out", () => {
    expect(resolvePointer(weather, "/temperature_c")).toBe(12.5);
    expect(resolvePointer(weather, "/daily/1/max")).toBe(21);
    expect(resolvePointer(weather, "/a~1b/c~0d")).toBe(true);
    expect(resolvePointer(weather, "")).toBe(weather);
  });

  it("given pointers that go nowhere, when resolved, then nothing is found", () => {
    expect(resolvePointer(weather, "/daily/01")).toBeUndefined();
    expect(resolvePointer(weather, "/daily/5/max")).toBeUndefined();
    expect(resolvePointer(weather, "/constructor")).toBeUndefined();
    expect(resolvePointer("text", "/length")).toBeUndefined();
  });

  it("given a mapping, when applied, then scalars become values and the rest is reported missing", () => {
    const mapped = applyMapping(
      {
        outside_temp: "/temperature_c",
        humidity: "/humidity_pct",
        location: "/location",
        gone: "/missing",
        nowhere: "/wind/speed",
        note: "/note",
      },
      weather,
    );
    expect(mapped.values).toEqual({ outside_temp: 12.5, humidity: 80, note: "x".repeat(256) });
    expect(mapped.missing).toEqual(["location", "gone", "nowhere"]);
  });
});
