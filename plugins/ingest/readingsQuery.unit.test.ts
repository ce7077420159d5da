import { describe, expect, it } from "@effect/vitest";
import { Result } from "effect";
import { defaultIngestLimits } from "./ingestLimits.ts";
import { encodeReadingsCursor, parseReadingsQuery } from "./readingsQuery.ts";

const nowMs = Date.parse("2025-03-01T10:00:00Z");
const parse = (parameters: Record<string, Array<string>>) => parseReadingsQuery(parameters, nowMs, defaultIngestLimits);
const fieldsOf = (parameters: Record<string, Array<string>>) => {
  const result = parse(parameters);
  return Result.isFailure(result) ? result.failure.errors.map((issue) => issue.field) : [];
};

describe("readings query", () => {
  it("defaults to the last 24 hours (to now + the allowed clock skew), 500 per page", () => {
    expect(parse({})).toEqual(
      Result.succeed({
        key: undefined,
        fromMs: nowMs + 300_000 - 86_400_000,
        toMs: nowMs + 300_000,
        limit: 500,
        after: undefined,
        resumeAtMs: undefined,
      }),
    );
  });

  it("takes ISO 8601 or epoch ms bounds, a key and a limit", () => {
    const query = parse({ key: ["cpu.load"], from: ["2025-03-01T00:00:00Z"], to: [String(nowMs)], limit: ["10"] });
    expect(query).toMatchObject({
      _tag: "Success",
      success: { key: "cpu.load", fromMs: Date.parse("2025-03-01T00:00:00Z"), toMs: nowMs, limit: 10 },
    });
  });

  it("refuses unknown, repeated and malformed parameters, all at once", () => {
    expect(fieldsOf({ "key[$gt]": [""], key: ["a", "b"], from: ["yesterday"], limit: ["0"] }).sort()).toEqual(
      ["from", "key", "key[$gt]", "limit"].sort(),
    );
    expect(fieldsOf({ key: ['{"$gt":""}'] })).toEqual(["key"]);
    expect(fieldsOf({ limit: ["5001"] })).toEqual(["limit"]);
    expect(fieldsOf({ limit: ["1e3"] })).toEqual(["limit"]);
    expect(fieldsOf({ from: ["2025-03-01T10:00:00Z"], to: ["2025-03-01T09:00:00Z"] })).toEqual(["from"]);
  });

  it("round-trips a cursor that carries the whole query", () => {
    const cursor = encodeReadingsCursor({ key: "temp", fromMs: 1, toMs: nowMs }, 3_600_000, { ts: 5, id: "e" });
    expect(parse({ cursor: [cursor], limit: ["20"] })).toEqual(
      Result.succeed({
        key: "temp",
        fromMs: 1,
        toMs: nowMs,
        limit: 20,
        after: { ts: 5, id: "e" },
        resumeAtMs: 3_600_000,
      }),
    );
    expect(fieldsOf({ cursor: [cursor], key: ["other"] })).toEqual(["key"]);
    expect(Result.isSuccess(parse({ cursor: [cursor], key: ["temp"] }))).toBe(true);
  });

  it("refuses cursors it did not make", () => {
    for (const cursor of ["", "garbage", btoa('{"v":1}'), btoa('{"$where":"1"}'), "%%%"]) {
      expect(fieldsOf({ cursor: [cursor] }), cursor).toEqual(["cursor"]);
    }
  });
});
