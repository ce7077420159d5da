import { describe, expect, it } from "@effect/vitest";
import { Result } from "effect";
import type { SourceReading } from "./SourceKind.ts";
import { expandJsonTemplate, expandTemplate, parseTemplate } from "./templates.ts";

const reading: SourceReading = {
  tenantId: "acme",
  deviceId: "pump 1",
  ts: "2025-06-01T12:00:00.000Z",
  values: { temp: 21.5, "cpu.load": 0.25, ok: true },
  attributes: { lat: 52.52437, lon: 13.41053, site: "Berlin Mitte" },
  tags: [],
};

const expand = (template: string, encode?: (text: string) => string) =>
  Result.flatMap(parseTemplate(template), (parsed) => expandTemplate(parsed, reading, encode));

describe("URL templates over a reading and its device", () => {
  it("given attributes, values, deviceId and ts, when expanded for a URL, then each value is encoded in place", () => {
    expect(
      expand(
        "https://w.example/now?lat={attributes.lat}&site={attributes.site}&d={deviceId}&t={values.temp}&at={ts}",
        encodeURIComponent,
      ),
    ).toEqual(
      Result.succeed(
        "https://w.example/now?lat=52.52437&site=Berlin%20Mitte&d=pump%201&t=21.5&at=2025-06-01T12%3A00%3A00.000Z",
      ),
    );
  });

  it("given |round:N, when expanded, then nearby coordinates give the same text", () => {
    expect(expand("{attributes.lat|round:2},{attributes.lon|round:1}")).toEqual(Result.succeed("52.52,13.4"));
    expect(expand("{values.cpu.load|round:0}")).toEqual(Result.succeed("0"));
  });

  it("given a missing attribute or value, when expanded, then it fails with the reason", () => {
    expect(expand("{attributes.alt}")).toEqual(Result.fail("attribute alt is missing on the device"));
    expect(expand("{values.humidity}")).toEqual(Result.fail("value humidity is missing in the reading"));
    expect(expand("{attributes.site|round:2}")).toEqual(
      Result.fail("attribute site is not a number, so it cannot be rounded"),
    );
  });

  it("given malformed templates, when parsed, then the problem is named", () => {
    expect(parseTemplate("x{attributes.lat")).toEqual(Result.fail("unclosed { at 1"));
    expect(parseTemplate("x}")).toEqual(Result.fail("unmatched } at 1"));
    expect(Result.isFailure(parseTemplate("{secrets.key}"))).toBe(true);
    expect(Result.isFailure(parseTemplate("{values.temp|round:9}"))).toBe(true);
  });

  it("given doubled braces, when expanded, then they are literal", () => {
    expect(expand("{{literal}} {deviceId}")).toEqual(Result.succeed("{literal} pump 1"));
  });

  it("given a JSON body template, when expanded, then a lone placeholder keeps its type", () => {
    expect(
      expandJsonTemplate(
        { position: ["{attributes.lat}", "{attributes.lon|round:1}"], note: "device {deviceId}", n: 3 },
        reading,
      ),
    ).toEqual(Result.succeed({ position: [52.52437, 13.4], note: "device pump 1", n: 3 }));
  });
});
