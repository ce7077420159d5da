/**
 * Records valid readings as TelemetryRecorded events: one stream per device, every stream
 * of the request in one `appendBatch`, which EventWriter writes together with what other
 * requests append meanwhile (group commit); durable when this returns. Ids are fresh
 * UUIDv7s, or derived ones under an Idempotency-Key (see idempotency.ts), so a retried
 * append stores nothing twice (the store dedupes by id).
 */
import { Effect, Schedule } from "effect";
import {
  type EventId,
  EventWriter,
  newEventId,
  type PendingEvent,
  type StreamAppend,
  type TenantId,
} from "../../core/index.ts";
import { derivedReadingId, type IdempotencyScope, startOfUtcDay } from "./idempotency.ts";
import { telemetryStreamId } from "./streamAndDocumentIds.ts";
import { TelemetryRecorded } from "./TelemetryRecorded.ts";
import type { ValidReading } from "./validateReading.ts";

export interface AppendContext {
  readonly tenantId: string;
  readonly nowMs: number;
  /** Present under an Idempotency-Key: ids are derived from it. */
  readonly scope: IdempotencyScope | undefined;
  /** The request's W3C traceparent header, kept on the events when well-formed. */
  readonly traceparent: string | undefined;
}

/** A busy store (FerretDB on SQLite reports "database is locked") often answers the next try. */
const appendRetries = Schedule.exponential("50 millis").pipe(Schedule.jittered, Schedule.upTo({ times: 3 }));

const traceparentPattern = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

const eventIdFor = (reading: ValidReading, context: AppendContext): EventId =>
  context.scope === undefined
    ? newEventId(context.nowMs)
    : derivedReadingId(context.scope, reading.index, reading.tsGiven ? reading.tsMs : startOfUtcDay(context.nowMs));

/**
 * The events for some readings, in the readings' order; all share one correlation id.
 *
 * @example
 * const events = telemetryEventsFor(readings, { tenantId: "acme", nowMs: Date.now(), scope: undefined, traceparent: undefined });
 */
export const telemetryEventsFor = (
  readings: ReadonlyArray<ValidReading>,
  context: AppendContext,
): ReadonlyArray<{ readonly deviceId: string; readonly event: PendingEvent }> => {
  const correlationId =
    context.scope === undefined
      ? newEventId(context.nowMs)
      : derivedReadingId(context.scope, -1, startOfUtcDay(context.nowMs));
  const traceparent =
    context.traceparent !== undefined && traceparentPattern.test(context.traceparent) ? context.traceparent : null;
  return readings.map((reading) => {
    const ts = new Date(reading.tsMs).toISOString();
    const payload = {
      deviceId: reading.deviceId,
      ts,
      values: reading.values,
      ...(reading.metadata === undefined ? {} : { metadata: reading.metadata }),
    };
    const event = TelemetryRecorded.make(payload, {
      tenantId: context.tenantId as TenantId,
      occurredAt: ts,
      id: eventIdFor(reading, context),
      correlationId,
      traceparent,
    });
    return { deviceId: reading.deviceId, event };
  });
};

/**
 * Appends the readings and returns their event ids in the readings' order.
 *
 * @example
 * const eventIds = yield* appendReadings(valid, { tenantId, nowMs, scope, traceparent });
 */
export const appendReadings = Effect.fn("ingest.appendReadings")(function* (
  readings: ReadonlyArray<ValidReading>,
  context: AppendContext,
) {
  const events = telemetryEventsFor(readings, context);
  const byDevice = new Map<string, Array<PendingEvent>>();
  for (const { deviceId, event } of events) {
    const deviceEvents = byDevice.get(deviceId);
    if (deviceEvents === undefined) byDevice.set(deviceId, [event]);
    else deviceEvents.push(event);
  }
  const appends: Array<StreamAppend> = [...byDevice].map(([deviceId, deviceEvents]) => ({
    streamId: telemetryStreamId(context.tenantId, deviceId),
    expectedVersion: "any",
    events: deviceEvents,
  }));
  const writer = yield* EventWriter;
  const outcomes = yield* writer.appendBatch(appends).pipe(Effect.retry(appendRetries));
  // "any" does not conflict; should a store ever report one, the client retries (ids dedupe).
  for (const outcome of outcomes) if (outcome._tag === "Conflict") return yield* outcome.error;
  return events.map(({ event }) => event.id);
});
