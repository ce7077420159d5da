import { describe, expect, it } from "@effect/vitest";
import { defaultIngestLimits } from "./ingestLimits.ts";
import { readingSchemas } from "./readingSchema.ts";
import { type ReadingContext, type ReadingOutcome, validateReading } from "./validateReading.ts";

const nowMs = Date.parse("2025-03-01T10:00:00Z");
const context: ReadingContext = {
  version: 2,
  schemas: readingSchemas(defaultIngestLimits),
  limits: defaultIngestLimits,
  nowMs,
  sender: { deviceId: "pump-1", gatewayFor: ["pump-2"] },
};
const v1: ReadingContext = { ...context, version: 1 };

const issuesOf = (outcome: ReadingOutcome) =>
  outcome._tag === "Rejected" ? outcome.rejection.errors.map((issue) => `${issue.field}: ${issue.reason}`) : [];

const many = (count: number, value: unknown = 1) =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, value]));

describe("validateReading, payload v2", () => {
  it("accepts a reading, filling in the sender's device and server time", () => {
    const outcome = validateReading({ values: { temp: 21.5, on: true, mode: "eco", "cpu.load": -0 } }, 4, context);
    expect(outcome).toEqual({
      _tag: "Valid",
      reading: {
        index: 4,
        deviceId: "pump-1",
        tsMs: nowMs,
        tsGiven: false,
        values: { temp: 21.5, on: true, mode: "eco", "cpu.load": -0 },
        metadata: undefined,
      },
    });
  });

  it("keeps the given ts, metadata and a gateway's device", () => {
    const outcome = validateReading(
      { deviceId: "pump-2", ts: "2025-03-01T09:59:00Z", values: { temp: 1 }, metadata: { firmware: "1.2" } },
      0,
      context,
    );
    expect(outcome._tag === "Valid" && outcome.reading).toMatchObject({
      deviceId: "pump-2",
      tsMs: nowMs - 60_000,
      tsGiven: true,
      metadata: { firmware: "1.2" },
    });
  });

  it.each([
    [
      "non-finite numbers (1e400 parses to Infinity)",
      { values: { t: Number.POSITIVE_INFINITY } },
      "values.t: Expected a finite number",
    ],
    ["-1e400", { values: { t: Number.NEGATIVE_INFINITY } }, "values.t: Expected a finite number"],
    ["nested values", { values: { t: { deep: 1 } } }, "values.t: Expected a finite number, a boolean or a string"],
    ["null values", { values: { t: null } }, "values.t: Expected a finite number, a boolean or a string"],
    ["arrays as values", { values: { t: [1] } }, "values.t: Expected a finite number, a boolean or a string"],
    ["long strings", { values: { t: "x".repeat(257) } }, "values.t: Expected a value with a length of at most 256"],
    ["no values", { values: {} }, "values: a reading needs at least one value"],
    ["missing values", { ts: nowMs }, "values: Missing key"],
    ["values of the wrong type", { values: "21.5" }, "values: Expected object"],
    ["too many values", { values: many(101) }, "values: a reading holds at most 100 values"],
    ["bad keys", { values: { "a b": 1 } }, "values.a b: keys are 1 to 64 characters of A-Z a-z 0-9 _ . -"],
    ["long keys", { values: { [`k${"x".repeat(64)}`]: 1 } }, "keys are 1 to 64 characters"],
    ["operator keys", { values: { $gt: 1 } }, "values.$gt: keys are 1 to 64 characters"],
    ["__proto__", JSON.parse('{"values":{"__proto__":1}}'), "values.__proto__: __proto__ is a reserved key"],
    ["unknown fields", { values: { t: 1 }, extra: 1 }, "extra: Expected no excess property"],
    ["operator objects as device ids", { deviceId: { $gt: "" }, values: { t: 1 } }, "deviceId: Expected string"],
    ["bad device ids", { deviceId: "a/b", values: { t: 1 } }, "deviceId: device ids are 1 to 100 characters"],
    ["boolean timestamps", { ts: true, values: { t: 1 } }, "ts: Expected epoch milliseconds or an ISO 8601 string"],
    ["malformed timestamps", { ts: "yesterday", values: { t: 1 } }, "ts: must be epoch milliseconds or an ISO 8601"],
    ["future timestamps", { ts: nowMs + 10 * 60_000, values: { t: 1 } }, "ts: is more than 5 minutes in the future"],
    ["ancient timestamps", { ts: "2020-01-01T00:00:00Z", values: { t: 1 } }, "ts: is older than 365 days"],
    ["nested metadata", { values: { t: 1 }, metadata: { a: { b: 1 } } }, "metadata.a: Expected a finite number"],
    ["not an object", [1, 2], "Expected object"],
  ])("refuses %s", (_, input, expected) => {
    expect(issuesOf(validateReading(input, 0, context)).join("\n")).toContain(expected);
  });

  it("collects every issue of a reading, not just the first", () => {
    const issues = issuesOf(validateReading({ values: { a: "x".repeat(300) }, extra: 1, deviceId: 5 }, 0, context));
    expect(issues.map((issue) => issue.split(":")[0]).sort()).toEqual(["deviceId", "extra", "values.a"]);
  });

  it("refuses a device the key may not send for, as forbidden", () => {
    const outcome = validateReading({ deviceId: "pump-9", values: { t: 1 } }, 2, context);
    expect(outcome).toMatchObject({ _tag: "Rejected", rejection: { index: 2, kind: "forbidden" } });
    expect(issuesOf(outcome)).toEqual(["deviceId: this key may not send for device pump-9"]);
  });
});

describe("validateReading, payload v1 (flat)", () => {
  it("upcasts {deviceId, timestamp, <metric>...} to v2", () => {
    const outcome = validateReading(
      { deviceId: "pump-1", timestamp: nowMs / 1000 - 60, temp: 20, "cpu.load": 0.5 },
      0,
      v1,
    );
    expect(outcome._tag === "Valid" && outcome.reading).toMatchObject({
      deviceId: "pump-1",
      tsMs: nowMs - 60_000,
      values: { temp: 20, "cpu.load": 0.5 },
    });
  });

  it("names issues by the v1 fields the sender wrote", () => {
    expect(issuesOf(validateReading({ timestamp: "soon", temp: { x: 1 } }, 0, v1)).sort()).toEqual([
      "deviceId: Missing key",
      "temp: Expected a finite number, a boolean or a string",
    ]);
    expect(issuesOf(validateReading({ deviceId: "pump-1" }, 0, v1))).toEqual([
      "(metrics): a reading needs at least one metric",
    ]);
    expect(issuesOf(validateReading({ deviceId: "pump-1", timestamp: "soon", t: 1 }, 0, v1))[0]).toMatch(
      /^timestamp: /,
    );
    expect(issuesOf(validateReading("pump-1,20", 0, v1))).toEqual(["(body): a v1 reading is a JSON object"]);
  });
});
