/**
 * The shapes a reading may arrive in, as Schemas built from the limits in force: payload
 * v2 (`{ts?, values, metadata?, deviceId?}`) and v1, the Python system's flat shape
 * (`{deviceId, timestamp?, <metric>: value, ...}`), which is upcast to v2. Decoding
 * collects every issue with its field path; unknown v2 fields are refused.
 */
import { Result, Schema } from "effect";
import { type FieldIssue, fieldIssues } from "../../core/index.ts";
import { deviceIdPattern, type IngestLimits, valueKeyPattern } from "./ingestLimits.ts";

/** A value of a reading: what `values` and `metadata` hold. */
export type ReadingValue = number | boolean | string;

/** A reading as decoded, before its timestamp is parsed and its device resolved. */
export interface DecodedReading {
  readonly deviceId: string | undefined;
  /** As sent: v2 `ts` or v1 `timestamp`; undefined means server time. */
  readonly ts: number | string | undefined;
  readonly values: Readonly<Record<string, ReadingValue>>;
  readonly metadata: Readonly<Record<string, ReadingValue>> | undefined;
}

const keyReason = "keys are 1 to 64 characters of A-Z a-z 0-9 _ . -";

// "__proto__" passes the pattern but would become an object's prototype wherever a key is assigned.
const badKeys = Schema.makeFilter((record: object) =>
  Object.keys(record)
    .filter((key) => !valueKeyPattern.test(key) || key === "__proto__")
    .map((key) => ({ path: [key], issue: key === "__proto__" ? "__proto__ is a reserved key" : keyReason })),
);

const deviceIdReason = "device ids are 1 to 100 characters of A-Z a-z 0-9 . _ : -";

/**
 * The Schemas for the given limits.
 *
 * @example
 * const { ReadingV2 } = readingSchemas(defaultIngestLimits);
 */
export const readingSchemas = (limits: IngestLimits) => {
  const Value = Schema.Union([
    Schema.Finite,
    Schema.Boolean,
    Schema.String.check(Schema.isMaxLength(limits.maxStringLength)),
  ]).annotate({ expected: "a finite number, a boolean or a string" });
  const Values = Schema.Record(Schema.String, Value).check(
    Schema.isMinProperties(1, { message: "a reading needs at least one value" }),
    Schema.isMaxProperties(limits.maxValuesPerReading, {
      message: `a reading holds at most ${limits.maxValuesPerReading} values`,
    }),
    badKeys,
  );
  const Metadata = Schema.Record(Schema.String, Value).check(
    Schema.isMaxProperties(limits.maxMetadataEntries, {
      message: `metadata holds at most ${limits.maxMetadataEntries} entries`,
    }),
    badKeys,
  );
  const DeviceId = Schema.String.check(Schema.isPattern(deviceIdPattern, { message: deviceIdReason }));
  const Timestamp = Schema.Union([Schema.Number, Schema.String]).annotate({
    expected: "epoch milliseconds or an ISO 8601 string",
  });
  const ReadingV2 = Schema.Struct({
    ts: Schema.optionalKey(Timestamp),
    values: Values,
    metadata: Schema.optionalKey(Metadata),
    deviceId: Schema.optionalKey(DeviceId),
  });
  const FlatReading = Schema.Struct({
    deviceId: DeviceId,
    timestamp: Schema.optionalKey(Timestamp),
    values: Values,
  });
  return { ReadingV2, FlatReading };
};

export type ReadingSchemas = ReturnType<typeof readingSchemas>;

const decodeOptions = { errors: "all", onExcessProperty: "error" } as const;

/**
 * A v2 reading, or every issue found in it.
 *
 * @example
 * decodeReadingV2(readingSchemas(defaultIngestLimits), { values: { temp: 21.5 } }) // Result.succeed({ ... })
 */
export const decodeReadingV2 = (
  schemas: ReadingSchemas,
  input: unknown,
): Result.Result<DecodedReading, Array<FieldIssue>> => {
  const decoded = Schema.decodeUnknownResult(schemas.ReadingV2)(input, decodeOptions);
  if (Result.isFailure(decoded)) return Result.fail(fieldIssues(decoded.failure));
  const { deviceId, ts, values, metadata } = decoded.success;
  return Result.succeed({ deviceId, ts, values, metadata });
};

// v1 field names as the sender wrote them: `values.temp` was sent as `temp`.
const toFlatField = (issue: FieldIssue): FieldIssue => ({
  field: issue.field === "values" ? "(metrics)" : issue.field.replace(/^values\./, ""),
  reason: issue.field === "values" ? issue.reason.replace("value", "metric") : issue.reason,
});

const isPlainObject = (input: unknown): input is Record<string, unknown> =>
  typeof input === "object" && input !== null && !Array.isArray(input);

/**
 * A v1 (flat) reading upcast to the v2 shape, or every issue found in it, named by v1 fields.
 *
 * @example
 * decodeFlatReading(schemas, { deviceId: "pump-1", timestamp: 1740823200, temp: 21.5 })
 * // Result.succeed({ deviceId: "pump-1", ts: 1740823200, values: { temp: 21.5 }, metadata: undefined })
 */
export const decodeFlatReading = (
  schemas: ReadingSchemas,
  input: unknown,
): Result.Result<DecodedReading, Array<FieldIssue>> => {
  if (!isPlainObject(input)) return Result.fail([{ field: "(body)", reason: "a v1 reading is a JSON object" }]);
  const { deviceId, timestamp, ...metrics } = input;
  const candidate = {
    values: metrics,
    ...(deviceId === undefined ? {} : { deviceId }),
    ...(timestamp === undefined ? {} : { timestamp }),
  };
  const decoded = Schema.decodeUnknownResult(schemas.FlatReading)(candidate, decodeOptions);
  if (Result.isFailure(decoded)) return Result.fail(fieldIssues(decoded.failure).map(toFlatField));
  const { timestamp: ts, values } = decoded.success;
  return Result.succeed({ deviceId: decoded.success.deviceId, ts, values, metadata: undefined });
};
