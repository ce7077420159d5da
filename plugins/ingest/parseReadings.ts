/**
 * Turns a body into items: one JSON reading, a JSON array of readings, or NDJSON (one
 * reading per line). Nesting depth is checked on the text before JSON.parse runs, so a
 * pathological body costs one linear scan. A JSON body that does not parse is refused
 * whole; an NDJSON line that does not parse is refused alone, by its index.
 */
import { Result } from "effect";
import { PayloadTooLarge, ValidationFailed } from "../../core/index.ts";
import type { IngestLimits } from "./ingestLimits.ts";
import type { BodyFormat } from "./requestBody.ts";

/** One item of a body: parsed, or a line that is not JSON (NDJSON only). */
export type BodyItem =
  | { readonly _tag: "Parsed"; readonly index: number; readonly value: unknown }
  | { readonly _tag: "Unparseable"; readonly index: number; readonly reason: string };

/** The items, and whether the body was one bare reading (its issues then carry no index prefix). */
export interface ParsedBody {
  readonly items: ReadonlyArray<BodyItem>;
  readonly single: boolean;
}

/**
 * True when brackets nest deeper than `maxDepth` (brackets inside strings do not count).
 *
 * @example
 * nestsDeeperThan('[[[1]]]', 2) // true
 */
export const nestsDeeperThan = (text: string, maxDepth: number): boolean => {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const character = text.charCodeAt(i);
    if (inString) {
      if (character === 0x5c)
        i++; // backslash: skip the escaped character
      else if (character === 0x22) inString = false;
    } else if (character === 0x22) inString = true;
    else if (character === 0x5b || character === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (character === 0x5d || character === 0x7d) depth--;
  }
  return false;
};

type ParseFailure = ValidationFailed | PayloadTooLarge;

const invalidBody = (reason: string): ValidationFailed =>
  new ValidationFailed({ detail: reason, errors: [{ field: "(body)", reason }] });

const tooManyReadings = (count: number, limits: IngestLimits) =>
  new PayloadTooLarge({
    detail: `${count} readings in one request; the limit is ${limits.maxReadingsPerRequest}: split the batch`,
  });

/** JSON.parse as a Result: the reason names what went wrong (SyntaxError messages give the position). */
const parseJson = (text: string, limits: IngestLimits): Result.Result<unknown, string> => {
  if (nestsDeeperThan(text, limits.maxJsonDepth)) {
    return Result.fail(`JSON nested deeper than ${limits.maxJsonDepth} levels`);
  }
  return Result.try({
    try: (): unknown => JSON.parse(text),
    catch: (cause) => `malformed JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
  });
};

const parseJsonBody = (text: string, limits: IngestLimits): Result.Result<ParsedBody, ParseFailure> => {
  const parsed = parseJson(text, limits);
  if (Result.isFailure(parsed)) return Result.fail(invalidBody(parsed.failure));
  const body = parsed.success;
  if (Array.isArray(body)) {
    if (body.length === 0) return Result.fail(invalidBody("the array is empty: send at least one reading"));
    if (body.length > limits.maxReadingsPerRequest) return Result.fail(tooManyReadings(body.length, limits));
    return Result.succeed({
      single: false,
      items: body.map((value, index): BodyItem => ({ _tag: "Parsed", index, value })),
    });
  }
  if (typeof body === "object" && body !== null) {
    return Result.succeed({ single: true, items: [{ _tag: "Parsed", index: 0, value: body }] });
  }
  return Result.fail(invalidBody("expected a reading (a JSON object) or a JSON array of readings"));
};

const parseNdjsonBody = (text: string, limits: IngestLimits): Result.Result<ParsedBody, ParseFailure> => {
  // Blank lines are skipped but keep their number: an item's index is its 0-based line number.
  const lines = text.split("\n").map((line, index) => ({ index, line: line.replace(/\r$/, "") }));
  const filled = lines.filter(({ line }) => line.trim() !== "");
  if (filled.length === 0) return Result.fail(invalidBody("the body holds no reading"));
  if (filled.length > limits.maxReadingsPerRequest) return Result.fail(tooManyReadings(filled.length, limits));
  return Result.succeed({
    single: false,
    items: filled.map(({ index, line }): BodyItem => {
      const parsed = parseJson(line, limits);
      return Result.isSuccess(parsed)
        ? { _tag: "Parsed", index, value: parsed.success }
        : { _tag: "Unparseable", index, reason: parsed.failure };
    }),
  });
};

/**
 * The items of a body.
 *
 * @example
 * parseReadings('{"values":{"temp":21.5}}', "json", defaultIngestLimits)
 * // Result.succeed({ single: true, items: [{ _tag: "Parsed", index: 0, value: { values: { temp: 21.5 } } }] })
 */
export const parseReadings = (
  text: string,
  format: BodyFormat,
  limits: IngestLimits,
): Result.Result<ParsedBody, ParseFailure> => {
  if (text.trim() === "") {
    return Result.fail(invalidBody("the body is empty: send a reading, an array of readings or NDJSON"));
  }
  return format === "json" ? parseJsonBody(text, limits) : parseNdjsonBody(text, limits);
};
