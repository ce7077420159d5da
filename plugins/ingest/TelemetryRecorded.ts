/**
 * The fact ingest records: one reading of one device. Schema version 2 is
 * `{deviceId, ts (ISO 8601 UTC), values, metadata?}`; version 1 was the Python system's
 * flat payload, which the upcaster turns into version 2 whenever an old event is read.
 *
 * Stored and published payloads escape "." in value keys as "%2E" (see storedKeys.ts);
 * decoding through this definition gives the keys back as sent.
 */
import { Result, Schema, SchemaGetter } from "effect";
import { defineEvent } from "../../core/index.ts";
import { parseFlatTimestamp } from "./readingTimestamps.ts";
import { fromStoredRecord, toStoredRecord } from "./storedKeys.ts";

const Value = Schema.Union([Schema.Finite, Schema.Boolean, Schema.String]);
const ValueRecord = Schema.Record(Schema.String, Value);

/** A record whose keys are stored escaped and decoded plain. */
const StoredValueRecord = ValueRecord.pipe(
  Schema.decodeTo(ValueRecord, {
    decode: SchemaGetter.transform(fromStoredRecord),
    encode: SchemaGetter.transform(toStoredRecord),
  }),
);

/** The current (version 2) payload. */
export const TelemetryPayload = Schema.Struct({
  deviceId: Schema.String,
  /** Device time, ISO 8601 UTC; also the event's occurredAt. */
  ts: Schema.String,
  values: StoredValueRecord,
  metadata: Schema.optionalKey(StoredValueRecord),
});
export type TelemetryPayload = typeof TelemetryPayload.Type;

/**
 * A stored version 1 payload as version 2: `{deviceId, timestamp, temp: 21.5}` becomes
 * `{deviceId, ts, values: {temp: 21.5}}`. Throws (the event then fails to decode) when the
 * payload has no usable timestamp: an upcaster sees the payload only, not the envelope.
 *
 * @example
 * upcastFlatPayload({ deviceId: "pump-1", timestamp: "2024-05-01T10:00:00", "cpu.load": 0.5 })
 * // { deviceId: "pump-1", ts: "2024-05-01T10:00:00.000Z", values: { "cpu%2Eload": 0.5 } }
 */
export const upcastFlatPayload = (payload: unknown): unknown => {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new Error("a version 1 TelemetryRecorded payload must be an object");
  }
  const { deviceId, timestamp, ...metrics } = payload as Record<string, unknown>;
  if (typeof timestamp !== "number" && typeof timestamp !== "string") {
    throw new Error("a version 1 TelemetryRecorded payload needs a timestamp");
  }
  const ts = parseFlatTimestamp(timestamp);
  if (Result.isFailure(ts)) throw new Error(`version 1 timestamp ${JSON.stringify(timestamp)} ${ts.failure}`);
  return { deviceId, ts: new Date(ts.success).toISOString(), values: toStoredRecord(metrics) };
};

/**
 * @example
 * const pending = TelemetryRecorded.make(
 *   { deviceId: "pump-1", ts: "2025-03-01T10:00:00.000Z", values: { temp: 21.5 } },
 *   { tenantId, occurredAt: "2025-03-01T10:00:00.000Z" },
 * );
 * const event = yield* TelemetryRecorded.decode(storedEnvelope); // version 1 payloads arrive as version 2
 */
export const TelemetryRecorded = defineEvent({
  type: "TelemetryRecorded",
  family: "telemetry",
  schemaVersion: 2,
  payload: TelemetryPayload,
  upcasters: { 1: upcastFlatPayload },
});
