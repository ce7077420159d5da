/**
 * Test data and helpers for event store tests: pending events, and names that no other
 * test uses, so tests can share one store (and one database) without seeing each other's
 * streams.
 */
import { Effect } from "effect";
import type { EventEnvelope, PendingEvent, StreamId, TenantId } from "../events/EventEnvelope.ts";
import { type EventId, newEventId } from "../events/EventId.ts";
import type { EventStore, StreamAppendOutcome } from "./EventStore.ts";

export const testTenant = "tenant-store-tests" as TenantId;

const suffix = () => crypto.randomUUID().slice(0, 8);

/**
 * A stream id no other test uses.
 *
 * @example
 * const streamId = uniqueStreamId("device"); // "device-1f3a9c2e"
 */
export const uniqueStreamId = (label: string): StreamId => `${label}-${suffix()}` as StreamId;

/**
 * An event type no other test uses, so `readAll({ types })` sees only this test's events.
 *
 * @example
 * const type = uniqueEventType("ReadAll");
 */
export const uniqueEventType = (label: string): string => `${label}_${suffix()}`;

/**
 * A pending event with a fresh UUIDv7 id; any field can be overridden.
 *
 * @example
 * const event = pendingEvent({ type: "TelemetryReceived", payload: { celsius: 21.5 } });
 */
export const pendingEvent = (overrides: Partial<PendingEvent> = {}): PendingEvent => {
  const id = overrides.id ?? newEventId();
  return {
    id,
    type: "StoreTested",
    schemaVersion: 1,
    occurredAt: new Date().toISOString(),
    tenantId: testTenant,
    causationId: null,
    correlationId: id,
    traceparent: null,
    payload: { note: "store test" },
    ...overrides,
  };
};

/**
 * `count` pending events whose ids carry increasing timestamps, so their id order (the
 * store's recorded order) is known in advance.
 *
 * @example
 * const [first, second] = pendingEventsInIdOrder(2, { type });
 */
export const pendingEventsInIdOrder = (count: number, overrides: Partial<PendingEvent> = {}): Array<PendingEvent> => {
  const start = Date.now() - count;
  return Array.from({ length: count }, (_, index) =>
    pendingEvent({ ...overrides, id: newEventId(start + index), payload: { index } }),
  );
};

/** Ids in ascending order: the order `readAll` and `unpublished` return them in. */
export const sortedIds = (events: ReadonlyArray<{ readonly id: EventId }>): Array<EventId> =>
  events.map((event) => event.id).sort();

/** The stream versions of envelopes, for compact assertions. */
export const versions = (events: ReadonlyArray<EventEnvelope>) => events.map((event) => event.streamVersion);

/** The ids of envelopes (or pending events), for compact assertions. */
export const ids = (events: ReadonlyArray<{ readonly id: string }>) => events.map((event) => event.id);

/** A batch outcome as plain data: stream and versions, or the conflict. */
export const summary = (outcome: StreamAppendOutcome) =>
  outcome._tag === "Appended"
    ? { streamId: outcome.streamId, versions: versions(outcome.events) }
    : {
        streamId: outcome.error.streamId,
        conflict: outcome.error._tag,
        expectedVersion: outcome.error.expectedVersion,
        actualVersion: outcome.error.actualVersion,
      };

/** Publishes every unpublished event, so a test sees only the events it appends next. */
export const publishEverything = Effect.fnUntraced(function* (store: EventStore["Service"]) {
  for (;;) {
    const due = yield* store.unpublished({ recordedBefore: new Date(Date.now() + 3_600_000), limit: 1000 });
    if (due.length === 0) return;
    yield* store.markPublished(due.map((event) => event.id));
  }
});
