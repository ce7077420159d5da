/**
 * The behaviour every EventStore implementation must have, written once and run against
 * each of them (EventStoreMemory.unit.test.ts, test/store/EventStoreMongo.int.test.ts).
 * Tests share one store, so each uses its own stream ids and event types.
 */
import { assert, layer } from "@effect/vitest";
import { Effect, type Layer, Option, Schema, Stream } from "effect";
import { EventEnvelope } from "../events/EventEnvelope.ts";
import { newEventId } from "../events/EventId.ts";
import { EventStore } from "./EventStore.ts";
import {
  ids,
  pendingEvent,
  pendingEventsInIdOrder,
  publishEverything,
  sortedIds,
  summary,
  uniqueEventType,
  uniqueStreamId,
  versions,
} from "./eventStoreFixtures.ts";

/**
 * Registers the contract suite for one implementation.
 *
 * @example
 * eventStoreContract("memory", layerMemory);
 */
export const eventStoreContract = (name: string, storeLayer: Layer.Layer<EventStore, unknown>): void => {
  layer(storeLayer, { excludeTestServices: true, timeout: "60 seconds" })(`EventStore contract: ${name}`, (it) => {
    it.effect("appends to a new stream at expected version 0, keeping every envelope field", () =>
      Effect.gen(function* () {
        const store = yield* EventStore;
        const streamId = uniqueStreamId("new");
        const cause = newEventId();
        const first = pendingEvent({
          causationId: cause,
          traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        });
        const second = pendingEvent({
          occurredAt: "2025-03-01T12:00:00+02:00",
          payload: { celsius: 21.5, tags: ["a"] },
        });
        const stored = yield* store.appendToStream(streamId, 0, [first, second]);

        assert.deepStrictEqual(versions(stored), [1, 2]);
        assert.deepStrictEqual(ids(stored), [first.id, second.id]);
        for (const envelope of stored) Schema.decodeUnknownSync(EventEnvelope)(envelope);
        const [one, two] = stored;
        assert.strictEqual(one?.streamId, streamId);
        assert.strictEqual(one?.causationId, cause);
        assert.strictEqual(one?.traceparent, first.traceparent);
        assert.strictEqual(one?.correlationId, first.correlationId);
        assert.strictEqual(one?.occurredAt, new Date(first.occurredAt).toISOString());
        assert.strictEqual(two?.occurredAt, "2025-03-01T10:00:00.000Z");
        assert.deepStrictEqual(two?.payload, { celsius: 21.5, tags: ["a"] });
        assert.strictEqual(one?.recordedAt, two?.recordedAt, "one recordedAt per append");
        assert.isBelow(Math.abs(Date.parse(one?.recordedAt ?? "") - Date.now()), 60_000);
        assert.strictEqual(yield* store.streamVersion(streamId), 2);
        assert.deepStrictEqual(yield* Stream.runCollect(store.readStream(streamId)), stored);
      }),
    );

    it.effect("appends after the expected version", () =>
      Effect.gen(function* () {
        const store = yield* EventStore;
        const streamId = uniqueStreamId("expected");
        yield* store.appendToStream(streamId, 0, [pendingEvent()]);
        const stored = yield* store.appendToStream(streamId, 1, [pendingEvent(), pendingEvent()]);
        assert.deepStrictEqual(versions(stored), [2, 3]);
        assert.deepStrictEqual(versions(yield* Stream.runCollect(store.readStream(streamId))), [1, 2, 3]);
      }),
    );

    it.effect("rejects an expected version behind or ahead of the stream with its actual version", () =>
      Effect.gen(function* () {
        const store = yield* EventStore;
        const streamId = uniqueStreamId("conflict");
        const existing = yield* store.appendToStream(streamId, 0, [pendingEvent(), pendingEvent()]);
        for (const expectedVersion of [0, 1, 3, 7]) {
          const error = yield* Effect.flip(store.appendToStream(streamId, expectedVersion, [pendingEvent()]));
          if (error._tag !== "ConcurrencyError") return assert.fail(`expected a ConcurrencyError, got ${error._tag}`);
          assert.deepStrictEqual(
            { streamId: error.streamId, expectedVersion: error.expectedVersion, actualVersion: error.actualVersion },
            { streamId, expectedVersion, actualVersion: 2 },
          );
        }
        assert.deepStrictEqual(yield* Stream.runCollect(store.readStream(streamId)), existing);
      }),
    );

    it.effect('appends at the head with "any"', () =>
      Effect.gen(function* () {
        const store = yield* EventStore;
        const streamId = uniqueStreamId("any");
        assert.deepStrictEqual(versions(yield* store.appendToStream(streamId, "any", [pendingEvent()])), [1]);
        const stored = yield* store.appendToStream(streamId, "any", [pendingEvent(), pendingEvent()]);
        assert.deepStrictEqual(versions(stored), [2, 3]);
        assert.strictEqual(yield* store.streamVersion(streamId), 3);
      }),
    );

    it.effect("stores an event id once and returns the stored copy to every append of it", () =>
      Effect.gen(function* () {
        const store = yield* EventStore;
        const streamId = uniqueStreamId("idempotent");
        const event = pendingEvent();
        const first = yield* store.appendToStream(streamId, 0, [event]);
        const again = yield* store.appendToStream(streamId, 0, [event]);
        const stale = yield* store.appendToStream(streamId, 5, [event, event]);
        assert.deepStrictEqual(again, first);
        assert.deepStrictEqual(stale, [...first, ...first]);
        assert.deepStrictEqual(yield* Stream.runCollect(store.readStream(streamId)), first);

        // A retried call that partly landed: the stored event stays, the new one follows it.
        const next = pendingEvent();
        const retried = yield* store.appendToStream(streamId, 0, [event, next]);
        assert.deepStrictEqual(retried[0], first[0]);
        assert.deepStrictEqual([retried[1]?.id, retried[1]?.streamVersion], [next.id, 2]);
        assert.deepStrictEqual(yield* Stream.runCollect(store.readStream(streamId)), retried);

        // A stored event away from where this call would put it: the new events follow the expected version.
        const later = pendingEvent();
        const mixed = yield* store.appendToStream(streamId, 2, [event, later]);
        assert.deepStrictEqual([mixed[0], mixed[1]?.id, mixed[1]?.streamVersion], [first[0], later.id, 3]);
        assert.strictEqual(yield* store.streamVersion(streamId), 3);
      }),
    );

    it.effect("an empty append stores nothing", () =>
      Effect.gen(function* () {
        const store = yield* EventStore;
        const streamId = uniqueStreamId("empty");
        assert.deepStrictEqual(yield* store.appendToStream(streamId, 0, []), []);
        assert.strictEqual(yield* store.streamVersion(streamId), 0);
      }),
    );

    it.effect("reads a stream from a version, and reports versions, events and causes", () =>
      Effect.gen(function* () {
        const store = yield* EventStore;
        const streamId = uniqueStreamId("read");
        const stored = yield* store.appendToStream(streamId, 0, [pendingEvent(), pendingEvent(), pendingEvent()]);
        const [cause] = stored;
        if (cause === undefined) return assert.fail("nothing stored");
        const effects = yield* store.appendToStream(
          uniqueStreamId("effects"),
          0,
          pendingEventsInIdOrder(2, { causationId: cause.id }),
        );

        assert.deepStrictEqual(yield* Stream.runCollect(store.readStream(streamId, 2)), stored.slice(1));
        assert.deepStrictEqual(yield* Stream.runCollect(store.readStream(streamId, 4)), []);
        assert.deepStrictEqual(yield* Stream.runCollect(store.readStream(uniqueStreamId("none"))), []);
        assert.strictEqual(yield* store.streamVersion(uniqueStreamId("none")), 0);
        assert.deepStrictEqual(yield* store.getEvent(cause.id), Option.some(cause));
        assert.isTrue(Option.isNone(yield* store.getEvent(newEventId())));
        assert.deepStrictEqual(yield* store.findCausedBy(cause.id), effects);
        assert.deepStrictEqual(yield* store.findCausedBy(newEventId()), []);
      }),
    );

    it.effect("reads all events in id order, after an id, and of given types", () =>
      Effect.gen(function* () {
        const store = yield* EventStore;
        const [typeA, typeB] = [uniqueEventType("A"), uniqueEventType("B")];
        const [e1, e2, e3, e4] = pendingEventsInIdOrder(4);
        if (e1 === undefined || e2 === undefined || e3 === undefined || e4 === undefined)
          return assert.fail("no events");
        // Appended out of id order, across two streams: readAll still returns id order.
        yield* store.appendToStream(uniqueStreamId("all"), 0, [
          { ...e3, type: typeA },
          { ...e1, type: typeB },
        ]);
        yield* store.appendToStream(uniqueStreamId("all"), 0, [
          { ...e4, type: typeB },
          { ...e2, type: typeA },
        ]);
        const ours = new Set([e1.id, e2.id, e3.id, e4.id]);

        const everything = yield* Stream.runCollect(store.readAll({ pageSize: 3 }));
        assert.deepStrictEqual(ids(everything), ids(everything).slice().sort(), "every event, in id order");
        assert.deepStrictEqual(ids(everything.filter((event) => ours.has(event.id))), [e1.id, e2.id, e3.id, e4.id]);
        const afterE2 = yield* Stream.runCollect(store.readAll({ after: e2.id, types: [typeA, typeB] }));
        assert.deepStrictEqual(ids(afterE2), [e3.id, e4.id]);
        const onlyA = yield* Stream.runCollect(store.readAll({ types: [typeA], pageSize: 1 }));
        assert.deepStrictEqual(ids(onlyA), [e2.id, e3.id]);
        assert.deepStrictEqual(yield* Stream.runCollect(store.readAll({ types: [uniqueEventType("None")] })), []);
      }),
    );

    it.effect("a batch appends to every stream but the conflicting one, which stays unchanged", () =>
      Effect.gen(function* () {
        const store = yield* EventStore;
        const [fresh, taken, anyStream] = [uniqueStreamId("fresh"), uniqueStreamId("taken"), uniqueStreamId("any")];
        const existing = yield* store.appendToStream(taken, 0, [pendingEvent()]);
        const lost = [pendingEvent(), pendingEvent()];
        const batch = [
          { streamId: fresh, expectedVersion: 0, events: [pendingEvent(), pendingEvent()] },
          { streamId: taken, expectedVersion: 0, events: lost },
          { streamId: anyStream, expectedVersion: "any" as const, events: [pendingEvent()] },
          { streamId: anyStream, expectedVersion: "any" as const, events: [pendingEvent()] },
        ];
        const outcomes = yield* store.appendBatch(batch);

        assert.deepStrictEqual(outcomes.map(summary), [
          { streamId: fresh, versions: [1, 2] },
          { streamId: taken, conflict: "ConcurrencyError", expectedVersion: 0, actualVersion: 1 },
          { streamId: anyStream, versions: [1] },
          { streamId: anyStream, versions: [2] },
        ]);
        assert.deepStrictEqual(yield* Stream.runCollect(store.readStream(taken)), existing);
        for (const event of lost) assert.isTrue(Option.isNone(yield* store.getEvent(event.id)));
        assert.strictEqual(yield* store.streamVersion(fresh), 2);

        const repeated = yield* store.appendBatch(batch);
        assert.deepStrictEqual(repeated.map(summary), outcomes.map(summary), "a repeated batch is idempotent");
        const [freshFirst, freshAgain] = [outcomes[0], repeated[0]];
        assert.deepStrictEqual(
          freshAgain?._tag === "Appended" && freshAgain.events,
          freshFirst?._tag === "Appended" && freshFirst.events,
        );
      }),
    );

    it.effect("a batch with several appends to one stream applies them in order", () =>
      Effect.gen(function* () {
        const store = yield* EventStore;
        const [chained, contested] = [uniqueStreamId("chained"), uniqueStreamId("contested")];
        const outcomes = yield* store.appendBatch([
          { streamId: chained, expectedVersion: 0, events: [pendingEvent()] },
          { streamId: contested, expectedVersion: 0, events: [pendingEvent()] },
          { streamId: chained, expectedVersion: 1, events: [pendingEvent(), pendingEvent()] },
          { streamId: contested, expectedVersion: 0, events: [pendingEvent()] },
          { streamId: chained, expectedVersion: "any", events: [pendingEvent()] },
        ]);
        assert.deepStrictEqual(outcomes.map(summary), [
          { streamId: chained, versions: [1] },
          { streamId: contested, versions: [1] },
          { streamId: chained, versions: [2, 3] },
          { streamId: contested, conflict: "ConcurrencyError", expectedVersion: 0, actualVersion: 1 },
          { streamId: chained, versions: [4] },
        ]);
        assert.strictEqual(yield* store.streamVersion(chained), 4);
      }),
    );

    it.effect("lists unpublished events oldest first until they are marked published", () =>
      Effect.gen(function* () {
        const store = yield* EventStore;
        yield* publishEverything(store);
        const events = pendingEventsInIdOrder(3);
        const stored = yield* store.appendToStream(uniqueStreamId("outbox"), 0, events.slice().reverse());
        const recordedAt = new Date(stored[0]?.recordedAt ?? "");
        const later = new Date(recordedAt.getTime() + 1);
        const expected = sortedIds(events);

        assert.deepStrictEqual(
          ids(yield* store.unpublished({ recordedBefore: later, limit: 2 })),
          expected.slice(0, 2),
        );
        assert.deepStrictEqual(yield* store.unpublished({ recordedBefore: recordedAt, limit: 10 }), []);
        yield* store.markPublished(expected.slice(0, 2));
        assert.deepStrictEqual(ids(yield* store.unpublished({ recordedBefore: later, limit: 10 })), expected.slice(2));
        yield* store.markPublished(expected);
        assert.deepStrictEqual(yield* store.unpublished({ recordedBefore: later, limit: 10 }), []);
      }),
    );

    // 1,001 events: three stream pages of 500, the last holding one event.
    it.effect("reads a long stream and all events over many pages, in order", () =>
      Effect.gen(function* () {
        const store = yield* EventStore;
        const streamId = uniqueStreamId("long");
        const type = uniqueEventType("Long");
        const events = Array.from({ length: 1_001 }, (_, index) => pendingEvent({ type, payload: { index } }));
        yield* store.appendToStream(streamId, 0, events);

        const stream = yield* Stream.runCollect(store.readStream(streamId));
        assert.deepStrictEqual(
          versions(stream),
          Array.from({ length: 1_001 }, (_, index) => index + 1),
        );
        assert.deepStrictEqual(ids(stream), ids(events));
        const fromVersion701 = versions(yield* Stream.runCollect(store.readStream(streamId, 701)));
        assert.deepStrictEqual(fromVersion701, versions(stream).slice(700));

        const all = yield* Stream.runCollect(store.readAll({ types: [type], pageSize: 100 }));
        const expected = sortedIds(events);
        assert.deepStrictEqual(ids(all), expected);
        const rest = yield* Stream.runCollect(store.readAll({ types: [type], pageSize: 100, after: expected[599] }));
        assert.deepStrictEqual(ids(rest), expected.slice(600));
      }),
    );
  });
};
