import { describe, expect, it } from "@effect/vitest";
import { Result } from "effect";
import { defaultIngestLimits } from "./ingestLimits.ts";
import { nestsDeeperThan, parseReadings } from "./parseReadings.ts";

const limits = { ...defaultIngestLimits, maxReadingsPerRequest: 3 };

const failureOf = (text: string, format: "json" | "ndjson" = "json") => {
  const result = parseReadings(text, format, limits);
  return Result.isFailure(result) ? { tag: result.failure._tag, detail: result.failure.detail } : undefined;
};

describe("parseReadings", () => {
  it("reads one reading as a single item and an array as a batch", () => {
    expect(parseReadings('{"values":{"t":1}}', "json", limits)).toEqual(
      Result.succeed({ single: true, items: [{ _tag: "Parsed", index: 0, value: { values: { t: 1 } } }] }),
    );
    const batch = parseReadings('[{"values":{"t":1}},{"values":{"t":2}}]', "json", limits);
    expect(Result.isSuccess(batch) && batch.success.items.map((item) => item.index)).toEqual([0, 1]);
    expect(Result.isSuccess(batch) && batch.success.single).toBe(false);
  });

  it("refuses malformed JSON as a whole, with the parser's reason", () => {
    expect(failureOf('{"values":')).toMatchObject({
      tag: "ValidationFailed",
      detail: expect.stringMatching(/^malformed JSON: /),
    });
    expect(failureOf('{"values":{"t":NaN}}')?.detail).toMatch(/^malformed JSON/);
    expect(failureOf('{"values":{"t":Infinity}}')?.detail).toMatch(/^malformed JSON/);
    expect(failureOf("{'values':{}}")?.detail).toMatch(/^malformed JSON/);
  });

  it("refuses bodies that are not a reading or an array of them", () => {
    expect(failureOf("42")?.detail).toContain("expected a reading");
    expect(failureOf('"text"')?.detail).toContain("expected a reading");
    expect(failureOf("null")?.detail).toContain("expected a reading");
    expect(failureOf("[]")?.detail).toContain("the array is empty");
    expect(failureOf("  \n")?.detail).toContain("the body is empty");
  });

  it("refuses more readings than the limit with PayloadTooLarge, JSON and NDJSON alike", () => {
    expect(failureOf("[{},{},{},{}]")).toMatchObject({
      tag: "PayloadTooLarge",
      detail: expect.stringContaining("limit is 3"),
    });
    expect(failureOf("{}\n{}\n{}\n{}", "ndjson")?.tag).toBe("PayloadTooLarge");
  });

  it("refuses deep nesting before parsing", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    expect(failureOf(deep)?.detail).toBe("JSON nested deeper than 8 levels");
    expect(failureOf('{"values":{"t":{"a":{"b":{"c":{"d":{"e":{"f":{}}}}}}}}}')?.detail).toContain("nested deeper");
  });

  it("counts only brackets outside strings", () => {
    expect(nestsDeeperThan('{"a":"[[[[[[[[[[["}', 1)).toBe(false);
    expect(nestsDeeperThan('{"a":"\\"[[[["}', 1)).toBe(false);
    expect(nestsDeeperThan('[[["]"]]]', 2)).toBe(true);
  });

  it("reads NDJSON line by line: blank lines skipped, a malformed line refused alone by its line number", () => {
    const result = parseReadings('{"values":{"t":1}}\r\n\n{oops\n{"values":{"t":2}}\n', "ndjson", limits);
    expect(Result.isSuccess(result) && result.success.items).toEqual([
      { _tag: "Parsed", index: 0, value: { values: { t: 1 } } },
      { _tag: "Unparseable", index: 2, reason: expect.stringMatching(/^malformed JSON/) },
      { _tag: "Parsed", index: 3, value: { values: { t: 2 } } },
    ]);
  });
});
