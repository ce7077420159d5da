/**
 * The query of GET /v1/devices/{deviceId}/readings: `key`, `from`, `to` (ISO 8601 or epoch
 * ms; from inclusive, to exclusive), `limit` and an opaque `cursor`. Every parameter is
 * checked and unknown or repeated ones are refused, so nothing from the URL reaches a
 * database except as part of a document id. A cursor carries the whole query, so a client
 * pages with `?cursor=` alone.
 */
import { Result, Schema } from "effect";
import { type FieldIssue, ValidationFailed } from "../../core/index.ts";
import { type IngestLimits, valueKeyPattern } from "./ingestLimits.ts";
import { parseReadingTimestamp } from "./readingTimestamps.ts";

/** Where a page ends: the last sample returned (exclusive) and the hour bucket to read next. */
export interface ReadingsPosition {
  readonly ts: number;
  readonly id: string;
}

export interface ReadingsQuery {
  readonly key: string | undefined;
  readonly fromMs: number;
  readonly toMs: number;
  readonly limit: number;
  /** Samples up to and including this one were returned already. */
  readonly after: ReadingsPosition | undefined;
  /** Buckets before this hour were read already. */
  readonly resumeAtMs: number | undefined;
}

const CursorSchema = Schema.Struct({
  v: Schema.Literal(1),
  k: Schema.NullOr(Schema.String.check(Schema.isPattern(valueKeyPattern))),
  f: Schema.Int,
  t: Schema.Int,
  r: Schema.Int,
  a: Schema.NullOr(Schema.Tuple([Schema.Int, Schema.String.check(Schema.isMaxLength(64))])),
});

const toBase64Url = (text: string) => btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const fromBase64Url = (text: string) => atob(text.replace(/-/g, "+").replace(/_/g, "/"));

/**
 * The cursor that continues `query` at `resumeAtMs`, after `after`.
 *
 * @example
 * const nextCursor = encodeReadingsCursor(query, Date.parse("2025-03-01T11:00:00Z"), { ts, id });
 */
export const encodeReadingsCursor = (
  query: Pick<ReadingsQuery, "key" | "fromMs" | "toMs">,
  resumeAtMs: number,
  after: ReadingsPosition | undefined,
): string =>
  toBase64Url(
    JSON.stringify({
      v: 1,
      k: query.key ?? null,
      f: query.fromMs,
      t: query.toMs,
      r: resumeAtMs,
      a: after === undefined ? null : [after.ts, after.id],
    }),
  );

const decodeCursor = (cursor: string) =>
  Result.try({
    try: () => Schema.decodeUnknownSync(CursorSchema)(JSON.parse(fromBase64Url(cursor)), { onExcessProperty: "error" }),
    catch: () => "is not a cursor this API returned",
  });

const allowedParameters = new Set(["key", "from", "to", "limit", "cursor"]);

const instantOf = (text: string): Result.Result<number, string> =>
  parseReadingTimestamp(/^-?\d+$/.test(text) ? Number(text) : text);

/** Each known parameter's one value; unknown and repeated parameters become issues. */
const singleValues = (parameters: Readonly<Record<string, ReadonlyArray<string>>>, issues: Array<FieldIssue>) => {
  const single: Partial<Record<"key" | "from" | "to" | "limit" | "cursor", string>> = {};
  for (const [name, values] of Object.entries(parameters)) {
    if (!allowedParameters.has(name)) issues.push({ field: name, reason: "unknown query parameter" });
    else if (values.length !== 1) issues.push({ field: name, reason: "give this parameter once" });
    else single[name as keyof typeof single] = values[0] ?? "";
  }
  return single;
};

/** A parsed value, or undefined after recording why it is not one. */
const orIssue = <A>(field: string, result: Result.Result<A, string>, issues: Array<FieldIssue>): A | undefined => {
  if (Result.isSuccess(result)) return result.success;
  issues.push({ field, reason: result.failure });
  return undefined;
};

const pageSizeOf = (limit: string | undefined, limits: IngestLimits): Result.Result<number, string> => {
  const size = limit === undefined ? limits.defaultReadingsPageSize : Number(limit);
  return /^\d+$/.test(limit ?? "1") && size >= 1 && size <= limits.maxReadingsPageSize
    ? Result.succeed(size)
    : Result.fail(`limit is a whole number from 1 to ${limits.maxReadingsPageSize}`);
};

/**
 * The query, or every problem with it.
 *
 * @example
 * parseReadingsQuery({ key: ["temp"], from: ["2025-03-01T00:00:00Z"] }, Date.now(), defaultIngestLimits)
 */
export const parseReadingsQuery = (
  parameters: Readonly<Record<string, ReadonlyArray<string>>>,
  nowMs: number,
  limits: IngestLimits,
): Result.Result<ReadingsQuery, ValidationFailed> => {
  const issues: Array<FieldIssue> = [];
  const { key, from, to, limit, cursor } = singleValues(parameters, issues);
  if (key !== undefined && !valueKeyPattern.test(key)) {
    issues.push({ field: "key", reason: "keys are 1 to 64 characters of A-Z a-z 0-9 _ . -" });
  }
  const toMs = orIssue("to", to === undefined ? Result.succeed(nowMs + limits.maxFutureSkewMs) : instantOf(to), issues);
  const fromDefault = (toMs ?? nowMs) - 86_400_000;
  const fromMs = orIssue("from", from === undefined ? Result.succeed(fromDefault) : instantOf(from), issues);
  if (fromMs !== undefined && toMs !== undefined && fromMs >= toMs) {
    issues.push({ field: "from", reason: "from must be before to" });
  }
  const pageSize = orIssue("limit", pageSizeOf(limit, limits), issues);
  const saved = cursor === undefined ? undefined : orIssue("cursor", decodeCursor(cursor), issues);
  if (saved !== undefined) {
    // With a cursor the query is the cursor's: a differing parameter is a mistake, not a new query.
    const differs = (field: string) => issues.push({ field, reason: "differs from the cursor's query" });
    if (key !== undefined && key !== saved.k) differs("key");
    if (from !== undefined && fromMs !== saved.f) differs("from");
    if (to !== undefined && toMs !== saved.t) differs("to");
  }
  if (issues.length > 0 || fromMs === undefined || toMs === undefined || pageSize === undefined) {
    return Result.fail(new ValidationFailed({ detail: "the query is invalid", errors: issues }));
  }
  if (saved === undefined) {
    return Result.succeed({ key, fromMs, toMs, limit: pageSize, after: undefined, resumeAtMs: undefined });
  }
  return Result.succeed({
    key: saved.k ?? undefined,
    fromMs: saved.f,
    toMs: saved.t,
    limit: pageSize,
    after: saved.a === null ? undefined : { ts: saved.a[0], id: saved.a[1] },
    resumeAtMs: saved.r,
  });
};
