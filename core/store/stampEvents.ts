/**
 * The rules both event stores apply to an append before storing anything: reject caller
 * bugs, drop repeated ids, and stamp each pending event with its stream, version and
 * recordedAt. Timestamps are normalised to millisecond ISO 8601 UTC, which is what a BSON
 * date gives back, so the memory and MongoDB stores return identical envelopes.
 */
import { Effect } from "effect";
import type { EventEnvelope, PendingEvent, StreamId } from "../events/EventEnvelope.ts";
import type { EventId } from "../events/EventId.ts";
import type { ExpectedVersion } from "./EventStore.ts";

/**
 * Dies (a bug, not a typed error) when the expected version is not a whole number >= 0
 * or an event's occurredAt is not a date.
 *
 * @example
 * yield* checkAppend(streamId, expectedVersion, events);
 */
export const checkAppend = (
  streamId: StreamId,
  expectedVersion: ExpectedVersion,
  events: ReadonlyArray<PendingEvent>,
): Effect.Effect<void> => {
  if (expectedVersion !== "any" && !(Number.isSafeInteger(expectedVersion) && expectedVersion >= 0)) {
    return Effect.die(
      new Error(`${streamId}: expectedVersion must be an integer >= 0 or "any", got ${expectedVersion}`),
    );
  }
  const undated = events.find((event) => Number.isNaN(Date.parse(event.occurredAt)));
  return undated === undefined
    ? Effect.void
    : Effect.die(new Error(`event ${undated.id}: occurredAt is not an ISO 8601 date: ${undated.occurredAt}`));
};

/**
 * The events with the first occurrence of each id kept: an id is stored once, even when
 * a caller repeats it within one append.
 *
 * @example
 * distinctById([a, b, a]) // [a, b]
 */
export const distinctById = (events: ReadonlyArray<PendingEvent>): ReadonlyArray<PendingEvent> => {
  const seen = new Set<EventId>();
  return events.filter((event) => {
    if (seen.has(event.id)) return false;
    seen.add(event.id);
    return true;
  });
};

/**
 * A timestamp as a BSON date round-trips it: millisecond precision, UTC, `Z` suffix.
 *
 * @example
 * isoMillis("2025-01-01T01:00:00+01:00") // "2025-01-01T00:00:00.000Z"
 */
export const isoMillis = (timestamp: string | number | Date): string => new Date(timestamp).toISOString();

/**
 * The stored form of a pending event at `streamVersion` (only the envelope's fields are
 * kept, so stray properties on the caller's object never reach the store).
 *
 * @example
 * const stored = stampEvent(pending, streamId, 1, isoMillis(Date.now()));
 */
export const stampEvent = (
  event: PendingEvent,
  streamId: StreamId,
  streamVersion: number,
  recordedAt: string,
): EventEnvelope => ({
  id: event.id,
  type: event.type,
  schemaVersion: event.schemaVersion,
  streamId,
  streamVersion,
  occurredAt: isoMillis(event.occurredAt),
  recordedAt,
  tenantId: event.tenantId,
  causationId: event.causationId,
  correlationId: event.correlationId,
  traceparent: event.traceparent,
  payload: event.payload,
});

/**
 * The envelopes to hand back for a call's events, in the caller's order (repeated ids
 * get the same envelope).
 *
 * @example
 * inCallerOrder(events, storedById)
 */
export const inCallerOrder = (
  events: ReadonlyArray<PendingEvent>,
  storedById: ReadonlyMap<EventId, EventEnvelope>,
): ReadonlyArray<EventEnvelope> =>
  events.map((event) => {
    const stored = storedById.get(event.id);
    if (stored === undefined) throw new Error(`event ${event.id} was neither stored nor found`);
    return stored;
  });
