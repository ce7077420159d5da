// The MongoDB event store against the real MongoDB-wire server (FerretDB here; any
// MongoDB when MONGODB_URI is set): the shared contract, then what only a real database
// can show: racing writers, the head hint, BSON dates and migrations.
import { assert, layer } from "@effect/vitest";
import { Effect, Fiber, Layer, Result, Stream } from "effect";
import { MongoClient } from "mongodb";
import { afterAll } from "vitest";
import type { PendingEvent, StreamId } from "../../core/events/EventEnvelope.ts";
import type { EventId } from "../../core/events/EventId.ts";
import { EventStore } from "../../core/store/EventStore.ts";
import { layerMongo } from "../../core/store/EventStoreMongo.ts";
import { eventStoreContract } from "../../core/store/eventStoreContract.ts";
import { pendingEvent, uniqueStreamId } from "../../core/store/eventStoreFixtures.ts";
import { eventStoreCollections } from "../../core/store/mongoCollections.ts";
import { toEventDocument } from "../../core/store/mongoEventDocument.ts";
import { stampEvent } from "../../core/store/stampEvents.ts";
import { eventStoreSchemaVersion } from "../../core/store/storeMigrations.ts";
import { eventually, testEnvironment, uniqueName } from "../harness/testEnvironment.ts";

const { mongodbUri, databaseName } = testEnvironment();
const client = new MongoClient(mongodbUri);
afterAll(() => client.close());

const storeLayer = (collectionPrefix: string) => layerMongo({ client, databaseName, collectionPrefix });
const fromPromise = <A>(run: () => Promise<A>) => Effect.promise(run);

eventStoreContract("mongo", storeLayer(`${uniqueName("contract")}_`));

const racePrefix = `${uniqueName("mongo")}_`;
const { events, outbox, streams } = eventStoreCollections(client.db(databaseName), racePrefix);

/** Every stored version of a stream, straight from the collection. */
const storedVersions = (streamId: string) =>
  fromPromise(() => events.find({ streamId }).toArray()).pipe(
    Effect.map((documents) => documents.map((document) => document.streamVersion).sort((a, b) => a - b)),
  );

/** Documents at `versions` from writers that lost a race and have not deleted them (yet). */
const insertLeftovers = (streamId: StreamId, versions: ReadonlyArray<number>) => {
  const recordedAt = new Date().toISOString();
  const documents = versions.map((version) =>
    toEventDocument(stampEvent(pendingEvent(), streamId, version, recordedAt)),
  );
  return fromPromise(() => events.insertMany(documents)).pipe(Effect.as(documents.map((document) => document._id)));
};

/** Polls `streams` until the stream's hint (raised in the background) reaches `version`. */
const hintReaches = (streamId: string, version: number) =>
  Effect.gen(function* () {
    const deadline = Date.now() + 10_000;
    while (((yield* fromPromise(() => streams.findOne({ _id: streamId })))?.version ?? 0) < version) {
      if (Date.now() > deadline)
        return yield* Effect.die(new Error(`the hint of ${streamId} never reached ${version}`));
      yield* Effect.sleep("10 millis");
    }
  });

const oneTo = (count: number) => Array.from({ length: count }, (_, index) => index + 1);

/** Runs `effect` against a second store on the same collections: another process, remembering nothing. */
const inAnotherProcess = <A, E>(effect: Effect.Effect<A, E, EventStore>) =>
  effect.pipe(Effect.provide(storeLayer(racePrefix)));

/** Runs `count` appends to one stream at once; each gets its own events. */
const raceAppends = (
  count: number,
  append: (events: ReadonlyArray<PendingEvent>) => Effect.Effect<unknown, unknown>,
  size = 1,
) =>
  Effect.forEach(
    Array.from({ length: count }, () => Array.from({ length: size }, () => pendingEvent())),
    (batch) => Effect.result(append(batch)).pipe(Effect.map((result) => ({ batch, result }))),
    { concurrency: "unbounded" },
  );

layer(storeLayer(racePrefix), { excludeTestServices: true, timeout: "60 seconds" })("EventStoreMongo", (it) => {
  it.effect("of 20 concurrent appends at one expected version exactly one wins", () =>
    Effect.gen(function* () {
      const store = yield* EventStore;
      const streamId = uniqueStreamId("race");
      const outcomes = yield* raceAppends(20, (batch) => store.appendToStream(streamId, 0, batch));

      assert.strictEqual(outcomes.filter(({ result }) => Result.isSuccess(result)).length, 1);
      for (const { result } of outcomes) {
        if (Result.isFailure(result))
          assert.deepInclude(result.failure, { _tag: "ConcurrencyError", actualVersion: 1 });
      }
      assert.deepStrictEqual(yield* storedVersions(streamId), [1]);
    }),
  );

  it.effect("of 20 concurrent three-event appends exactly one wins, and the losers leave nothing behind", () =>
    Effect.gen(function* () {
      const store = yield* EventStore;
      const streamId = uniqueStreamId("race-many");
      yield* store.appendToStream(streamId, 0, [pendingEvent(), pendingEvent()]);
      const outcomes = yield* raceAppends(20, (batch) => store.appendToStream(streamId, 2, batch), 3);

      const winners = outcomes.filter(({ result }) => Result.isSuccess(result));
      assert.strictEqual(winners.length, 1);
      assert.deepStrictEqual(yield* storedVersions(streamId), oneTo(5));
      const tail = yield* Stream.runCollect(store.readStream(streamId, 3));
      assert.deepStrictEqual(
        tail.map((event) => event.id),
        winners[0]?.batch.map((event) => event.id),
      );
    }),
  );

  it.effect('20 concurrent "any" appends to one stream all land, at versions 1..20', () =>
    Effect.gen(function* () {
      const store = yield* EventStore;
      const streamId = uniqueStreamId("race-any");
      const outcomes = yield* raceAppends(20, (batch) => store.appendToStream(streamId, "any", batch));

      assert.deepStrictEqual(
        outcomes.filter(({ result }) => Result.isFailure(result)),
        [],
      );
      assert.deepStrictEqual(yield* storedVersions(streamId), oneTo(20));
      const stored = yield* Stream.runCollect(store.readStream(streamId));
      assert.sameMembers(
        stored.map((event) => event.id),
        outcomes.flatMap(({ batch }) => batch.map((event) => event.id)),
      );
    }),
  );

  it.effect('concurrent multi-event "any" appends keep each append\'s events together', () =>
    Effect.gen(function* () {
      const store = yield* EventStore;
      const streamId = uniqueStreamId("race-any-many");
      const outcomes = yield* raceAppends(8, (batch) => store.appendToStream(streamId, "any", batch), 3);

      assert.deepStrictEqual(yield* storedVersions(streamId), oneTo(24));
      for (const { result } of outcomes) {
        if (Result.isFailure(result)) return assert.fail(`append failed: ${String(result.failure)}`);
        const [first, ...rest] = (result.success as ReadonlyArray<{ streamVersion: number }>).map(
          (e) => e.streamVersion,
        );
        assert.deepStrictEqual(rest, [(first ?? 0) + 1, (first ?? 0) + 2]);
      }
    }),
  );

  it.effect("the writer holding the expected version + 1 waits until a losing writer removed its document", () =>
    Effect.gen(function* () {
      const store = yield* EventStore;
      const streamId = uniqueStreamId("owner");
      yield* store.appendToStream(streamId, 0, [pendingEvent()]);
      const leftovers = yield* insertLeftovers(streamId, [3]);
      const [first, second] = [pendingEvent(), pendingEvent()];
      const append = yield* Effect.forkChild(store.appendToStream(streamId, 1, [first, second]));
      yield* fromPromise(() =>
        eventually(async () => (await events.findOne({ _id: first.id })) ?? undefined, {
          intervalMs: 5,
          what: "the owner's first event",
        }),
      );
      yield* fromPromise(() => events.deleteMany({ _id: { $in: leftovers } }));

      const stored = yield* Fiber.join(append);
      assert.deepStrictEqual(
        stored.map((event) => [event.id, event.streamVersion]),
        [
          [first.id, 2],
          [second.id, 3],
        ],
      );
    }),
  );

  it.effect("a writer blocked by a document that stays gives up and removes what it inserted", () =>
    Effect.gen(function* () {
      const store = yield* EventStore;
      const streamId = uniqueStreamId("blocked");
      yield* store.appendToStream(streamId, 0, [pendingEvent()]);
      yield* insertLeftovers(streamId, [3]);
      const first = pendingEvent();
      const error = yield* Effect.flip(store.appendToStream(streamId, 1, [first, pendingEvent()]));

      assert.deepInclude(error, { _tag: "ConcurrencyError", expectedVersion: 1, actualVersion: 3 });
      assert.deepStrictEqual(yield* storedVersions(streamId), [1, 3]);
      assert.isNull(yield* fromPromise(() => events.findOne({ _id: first.id })));
    }),
  );

  it.effect("appends land after another process's appends, whatever each store remembers of the stream", () =>
    Effect.gen(function* () {
      const store = yield* EventStore;
      const streamId = uniqueStreamId("two-processes");
      const appendElsewhere = (expectedVersion: number | "any", events: ReadonlyArray<PendingEvent>) =>
        inAnotherProcess(
          Effect.gen(function* () {
            const other = yield* EventStore;
            return yield* other.appendToStream(streamId, expectedVersion, events);
          }),
        );
      const [mine, theirs, mineAgain, atFour, elsewhere] = Array.from({ length: 5 }, () => pendingEvent());
      if (!mine || !theirs || !mineAgain || !atFour || !elsewhere) return assert.fail("no events");

      yield* store.appendToStream(streamId, "any", [mine, pendingEvent()]);
      // A store that does not know the stream starts from its hint (raised in the background).
      yield* hintReaches(streamId, 2);
      assert.deepStrictEqual(
        (yield* appendElsewhere("any", [theirs])).map((e) => e.streamVersion),
        [3],
      );
      // This store remembers version 2: the unique index turns that down, the head is read, the append lands.
      const [outcome] = yield* store.appendBatch([{ streamId, expectedVersion: "any", events: [mineAgain] }]);
      assert.deepStrictEqual(outcome?._tag === "Appended" && outcome.events.map((e) => e.streamVersion), [4]);
      assert.deepStrictEqual(
        (yield* store.appendToStream(streamId, 4, [atFour])).map((e) => e.streamVersion),
        [5],
      );
      const stale = yield* Effect.flip(appendElsewhere(3, [pendingEvent()]));
      assert.deepInclude(stale, { _tag: "ConcurrencyError", expectedVersion: 3, actualVersion: 5 });
      // A hint left behind (a lost update) costs a lost race, not a misplaced event.
      yield* fromPromise(() => streams.updateOne({ _id: streamId }, { $set: { version: 1 } }));
      assert.deepStrictEqual(
        (yield* appendElsewhere("any", [elsewhere])).map((e) => e.streamVersion),
        [6],
      );

      assert.deepStrictEqual(yield* storedVersions(streamId), oneTo(6));
      const [first, , third, fourth, fifth, sixth] = yield* Stream.runCollect(store.readStream(streamId));
      assert.deepStrictEqual(
        [first, third, fourth, fifth, sixth].map((event) => event?.id),
        [mine.id, theirs.id, mineAgain.id, atFour.id, elsewhere.id],
      );
    }),
  );

  it.effect("an append to a stream this store appended to goes on from what it remembers, not from the hint", () =>
    Effect.gen(function* () {
      const store = yield* EventStore;
      const streamId = uniqueStreamId("remembered");
      yield* store.appendToStream(streamId, "any", [pendingEvent(), pendingEvent()]);
      // A hint raised by hand far above the head: a store that read it would leave a gap.
      yield* fromPromise(() => streams.updateOne({ _id: streamId }, { $set: { version: 99 } }));
      const [outcome] = yield* store.appendBatch([{ streamId, expectedVersion: "any", events: [pendingEvent()] }]);
      assert.deepStrictEqual(outcome?._tag === "Appended" && outcome.events.map((e) => e.streamVersion), [3]);
      assert.deepStrictEqual(yield* storedVersions(streamId), oneTo(3));
    }),
  );

  it.effect("finds the true head whether the stream hint is stale, missing or too high", () =>
    Effect.gen(function* () {
      const store = yield* EventStore;
      const streamId = uniqueStreamId("hint");
      yield* store.appendToStream(streamId, 0, [pendingEvent(), pendingEvent(), pendingEvent()]);
      yield* hintReaches(streamId, 3);
      assert.deepInclude(yield* fromPromise(() => streams.findOne({ _id: streamId })), { version: 3 });

      for (const hint of [1, 99]) {
        yield* fromPromise(() => streams.updateOne({ _id: streamId }, { $set: { version: hint } }));
        assert.strictEqual(yield* store.streamVersion(streamId), 3, `hint ${hint}`);
      }
      yield* fromPromise(() => streams.deleteOne({ _id: streamId }));
      assert.strictEqual(yield* store.streamVersion(streamId), 3, "no hint");
      const [next] = yield* store.appendToStream(streamId, "any", [pendingEvent()]);
      assert.strictEqual(next?.streamVersion, 4);
    }),
  );

  it.effect("reads a stream past gaps that a crashed writer's leftovers may leave", () =>
    Effect.gen(function* () {
      const store = yield* EventStore;
      const streamId = uniqueStreamId("gaps");
      yield* store.appendToStream(streamId, 0, [pendingEvent(), pendingEvent(), pendingEvent()]);
      // A gap inside the first page, then one longer than a page before 501 more events.
      const pastTheGap = Array.from({ length: 501 }, (_, index) => 1_700 + index);
      yield* insertLeftovers(streamId, [5, ...pastTheGap]);

      const read = yield* Stream.runCollect(store.readStream(streamId));
      assert.deepStrictEqual(
        read.map((event) => event.streamVersion),
        [1, 2, 3, 5, ...pastTheGap],
      );
      assert.strictEqual(yield* store.streamVersion(streamId), 2_200);
    }),
  );

  it.effect("stores timestamps as BSON dates, and an outbox entry until the event is published", () =>
    Effect.gen(function* () {
      const store = yield* EventStore;
      const [stored] = yield* store.appendToStream(uniqueStreamId("bson"), 0, [pendingEvent()]);
      if (stored === undefined) return assert.fail("nothing stored");
      const document = yield* fromPromise(() => events.findOne({ _id: stored.id }));
      assert.instanceOf(document?.occurredAt, Date);
      assert.instanceOf(document?.recordedAt, Date);
      assert.strictEqual(document?.recordedAt.toISOString(), stored.recordedAt);
      assert.isNotNull(yield* fromPromise(() => outbox.findOne({ eventIds: stored.id })));
      yield* store.markPublished([stored.id]);
      assert.isNull(yield* fromPromise(() => outbox.findOne({ eventIds: stored.id })));
      // Appending the published event again stores nothing and does not queue it again.
      yield* store.appendToStream(stored.streamId, "any", [pendingEvent({ id: stored.id })]);
      assert.isNull(yield* fromPromise(() => outbox.findOne({ eventIds: stored.id })));
    }),
  );

  it.effect("writes one outbox entry per append round, kept until all its events are marked", () =>
    Effect.gen(function* () {
      const store = yield* EventStore;
      const streamId = uniqueStreamId("entry");
      const stored = yield* store.appendToStream(streamId, 0, [pendingEvent(), pendingEvent(), pendingEvent()]);
      const ids = stored.map((event) => event.id);
      const entries = yield* fromPromise(() => outbox.find({ eventIds: { $in: ids } }).toArray());
      assert.deepStrictEqual(
        entries.map((entry) => entry.eventIds),
        [ids],
      );
      yield* store.markPublished(ids.slice(0, 2));
      const [left] = yield* fromPromise(() => outbox.find({ eventIds: { $in: ids } }).toArray());
      assert.deepStrictEqual(left?.eventIds, ids.slice(2));
      yield* store.markPublished(ids.slice(2));
      assert.strictEqual(yield* fromPromise(() => outbox.countDocuments({ eventIds: { $in: ids } })), 0);
    }),
  );

  it.effect(
    "sweeps outbox entries of one event (written before entries held several) and entries of other processes",
    () =>
      Effect.gen(function* () {
        const [legacy, others] = yield* insertLeftovers(uniqueStreamId("swept"), [1, 2]);
        if (legacy === undefined || others === undefined) return assert.fail("nothing stored");
        const recordedAt = new Date(Date.now() - 1_000);
        yield* fromPromise(() =>
          outbox.insertMany([
            { _id: legacy, recordedAt },
            { _id: `other-${others}`, recordedAt, eventIds: [others, "never-stored"] },
          ]),
        );
        yield* inAnotherProcess(
          Effect.gen(function* () {
            const store = yield* EventStore;
            const later = new Date(Date.now() + 60_000);
            const listed = (yield* store.unpublished({ recordedBefore: later, limit: 1_000 })).map(
              (event): string => event.id,
            );
            assert.includeMembers(listed, [legacy, others]);
            yield* store.markPublished([legacy, others] as Array<EventId>);
          }),
        );
        assert.isNull(yield* fromPromise(() => outbox.findOne({ _id: legacy })));
        // The id that was never stored went when the sweep found it missing.
        assert.isNull(yield* fromPromise(() => outbox.findOne({ _id: `other-${others}` })));
      }),
  );
});

layer(Layer.empty, { excludeTestServices: true })("EventStoreMongo start", (it) => {
  it.effect("fails with EventStoreUnavailable when the database does not answer", () =>
    Effect.gen(function* () {
      const unreachable = new MongoClient("mongodb://127.0.0.1:1/", { serverSelectionTimeoutMS: 300 });
      yield* Effect.addFinalizer(() => Effect.promise(() => unreachable.close()));
      const error = yield* Effect.flip(
        Effect.scoped(Layer.build(layerMongo({ client: unreachable, databaseName, collectionPrefix: "unreachable_" }))),
      );
      assert.deepInclude(error, { _tag: "EventStoreUnavailable", operation: "migrate" });
    }),
  );

  it.effect("applies its migrations once and records them; starting again changes nothing", () =>
    Effect.gen(function* () {
      const prefix = `${uniqueName("migrations")}_`;
      const { events: migratedEvents, migrations } = eventStoreCollections(client.db(databaseName), prefix);
      const start = Effect.scoped(Layer.build(storeLayer(prefix)));

      yield* start;
      const recorded = yield* fromPromise(() => migrations.find().toArray());
      const indexes = yield* fromPromise(() => migratedEvents.listIndexes().toArray());
      assert.strictEqual(recorded.length, 1);
      assert.deepInclude(recorded[0], { _id: "events", version: eventStoreSchemaVersion });
      assert.includeMembers(
        indexes.map((index) => index.name),
        ["streamId_streamVersion_unique", "causationId", "type_id"],
      );
      assert.isTrue(indexes.find((index) => index.name === "streamId_streamVersion_unique")?.unique);

      yield* start;
      assert.deepStrictEqual(yield* fromPromise(() => migrations.find().toArray()), recorded);
      assert.deepStrictEqual(yield* fromPromise(() => migratedEvents.listIndexes().toArray()), indexes);
    }),
  );
});
