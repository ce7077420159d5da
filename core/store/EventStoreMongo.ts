/**
 * The event store on MongoDB (or a MongoDB-wire server such as FerretDB): one document per
 * event in `events`, optimistic concurrency through the unique (streamId, streamVersion)
 * index, idempotency through `_id` = event id, and an `outbox` of events Kafka has not
 * acknowledged yet.
 * It needs no transactions, change streams or atomic read-modify-write updates, which
 * FerretDB 1.x lacks; see mongoStreamAppender.ts for how appends work without them.
 *
 * FerretDB 1.x (SQLite) scans a collection for every query (a lone `_id` equality row by row
 * inside SQLite, any other filter decoding every document); only inserts use its indexes.
 * So an append does not read the stream's head from `events` first: it
 * inserts right above the version this store last appended to the stream, or, for a stream
 * it has not appended to, the stream's hint in `streams`. Both are versions that a successful append stored
 * (events are never deleted after one), so at worst they are behind the head, when another
 * writer appended in between; the unique index then rejects the insert and only then is
 * the head read from `events`.
 */
import { Clock, Duration, Effect, Layer, Option, Random, Stream } from "effect";
import type { MongoClient } from "mongodb";
import type { PendingEvent, StreamId } from "../events/EventEnvelope.ts";
import type { EventId } from "../events/EventId.ts";
import { ConcurrencyError, type EventStoreUnavailable } from "./Errors.ts";
import { EventStore, type ExpectedVersion, type StreamAppend, type StreamAppendOutcome } from "./EventStore.ts";
import { makeKnownStreamHeads } from "./knownStreamHeads.ts";
import { eventStoreCollections, tryMongo } from "./mongoCollections.ts";
import { fromEventDocument } from "./mongoEventDocument.ts";
import { readAllPages, readStreamPages } from "./mongoEventReads.ts";
import { makeMongoOutbox } from "./mongoOutbox.ts";
import { appendVersioned, type VersionedAppend, type VersionedAppendResult } from "./mongoStreamAppender.ts";
import { backgroundHintRaiser, readStreamHeads, readStreamHints } from "./mongoStreamHeads.ts";
import { checkAppend, distinctById, inCallerOrder, isoMillis } from "./stampEvents.ts";
import { applyStoreMigrations } from "./storeMigrations.ts";

export interface MongoEventStoreOptions {
  /** A client the caller owns (connects lazily, closed by the caller). */
  readonly client: MongoClient;
  readonly databaseName: string;
  /** Prepended to the collection names (`events`, `streams`, `schema_migrations`). */
  readonly collectionPrefix?: string | undefined;
}

// Full jitter (a random wait up to 4 ms, doubling per lost race, at most 250 ms) pulls
// writers that lost the same race apart; +-20% jitter would keep them colliding in lockstep.
const headRaceRetries = 9;

/**
 * The batch's indexes in waves with at most one append per stream. A stream's second
 * append waits for the next wave, so it sees the first as it would sequentially; a batch
 * of distinct streams is a single wave (one insert round trip).
 */
const inWaves = (appends: ReadonlyArray<StreamAppend>): ReadonlyArray<ReadonlyArray<number>> => {
  const waves: Array<Array<number>> = [];
  const appendsPerStream = new Map<StreamId, number>();
  appends.forEach(({ streamId }, index) => {
    const wave = appendsPerStream.get(streamId) ?? 0;
    appendsPerStream.set(streamId, wave + 1);
    const members = waves[wave] ?? [];
    members.push(index);
    waves[wave] = members;
  });
  return waves;
};

// Streams whose last appended version the store remembers (a few MB at most).
const knownHeadsCapacity = 100_000;

/**
 * A stream's hint is raised (in the background, off the append's path) when it is this
 * many versions behind what this store appended (and on this store's first append to the
 * stream). Each raise is an update, and FerretDB scans `streams` for every update under
 * its single write lock: at every 100 versions, raises still took 2.8 s of store time in
 * 10 s of ingest at 100 readings per request. A hint behind the head only costs another
 * process one lost race and one head read for that stream (on MongoDB an index range of
 * at most this many entries), after which it knows the head itself.
 */
const hintStride = 1_000;

const makeMongoEventStore = Effect.fnUntraced(function* (options: MongoEventStoreOptions) {
  const collections = eventStoreCollections(options.client.db(options.databaseName), options.collectionPrefix);
  yield* applyStoreMigrations(collections);

  const recordedNow = Effect.map(Clock.currentTimeMillis, isoMillis);
  const raiseHintsLater = yield* backgroundHintRaiser(collections);
  const outbox = makeMongoOutbox(collections);
  const known = makeKnownStreamHeads(knownHeadsCapacity);
  /** The hint each stream is known to have in `streams` (read or raised by this store). */
  const hinted = makeKnownStreamHeads(knownHeadsCapacity);

  /** Appends at numeric versions, then remembers what was stored and raises hints that fell behind. */
  const appendRemembered = Effect.fnUntraced(function* (appends: ReadonlyArray<VersionedAppend>, recordedAt: string) {
    const results = yield* appendVersioned(collections, outbox, appends, recordedAt);
    const heads = new Map<string, number>();
    results.forEach((result, index) => {
      const streamId = appends[index]?.streamId;
      if (result._tag === "Appended" && result.storedHead !== undefined && streamId !== undefined) {
        known.raise(streamId, result.storedHead);
        const hint = hinted.get(streamId);
        if (hint === undefined || result.storedHead - hint >= hintStride) {
          heads.set(streamId, Math.max(heads.get(streamId) ?? 0, result.storedHead));
        }
      }
    });
    yield* raiseHintsLater(heads);
    for (const [streamId, version] of heads) hinted.raise(streamId, version);
    return results;
  });

  /** The version of the stream's last event, read from `events` (a scan on FerretDB). */
  const readHead = (streamId: StreamId) =>
    readStreamHeads(collections, [streamId]).pipe(Effect.map((heads) => heads.get(streamId) ?? 0));

  /**
   * A version each stream is known to have reached: the version this store last appended
   * to it, else its hint, which every store raises as it appends (every `hintStride`
   * versions). A stream this store appended to reads nothing: its hint is rarely ahead of
   * what the store remembers (hints move every 1,000 versions), and reading hints cost the
   * api its largest store command, a scan of `streams` per group commit on FerretDB
   * (measured: 4 to 6 s of store time in 10 s of ingest, against 1.6 to 2.8 s for the
   * event inserts). Another process's appends since then cost a lost race. For unknown
   * streams one query over `streams`, none over `events`. Only a hint someone raised by
   * hand could be above the head: an "any" append would then leave a gap (reads step over
   * gaps), and an explicit one could land ahead of the stream.
   */
  const knownHeads = Effect.fnUntraced(function* (streamIds: ReadonlyArray<StreamId>) {
    const hints = yield* readStreamHints(
      collections,
      streamIds.filter((streamId) => known.get(streamId) === undefined),
    );
    for (const [streamId, hint] of hints) hinted.raise(streamId, hint);
    return new Map(streamIds.map((streamId) => [streamId, known.get(streamId) ?? hints.get(streamId) ?? 0]));
  });

  /**
   * Appends at the head after lost races, reading the head again after each one. Full
   * jitter before each attempt pulls writers that keep losing the same race apart.
   */
  const appendAtReadHead = Effect.fnUntraced(function* (
    streamId: StreamId,
    events: ReadonlyArray<PendingEvent>,
    recordedAt: string,
  ) {
    for (let lostRaces = 1; lostRaces <= headRaceRetries; lostRaces++) {
      const wait = yield* Random.nextBetween(0, Math.min(250, 4 * 2 ** (lostRaces - 1)));
      yield* Effect.sleep(Duration.millis(wait));
      const head = yield* readHead(streamId);
      const [result] = yield* appendRemembered(
        [{ streamId, expectedVersion: head, events, expectedVersionExists: true }],
        recordedAt,
      );
      if (result?._tag === "Appended") return result.events;
    }
    return yield* new ConcurrencyError({ streamId, expectedVersion: "any", actualVersion: yield* readHead(streamId) });
  });

  /**
   * Appends to distinct streams: one insert round, and only if races were lost one read of
   * the heads from `events` and one more round for the "any" appends that lost. Those that
   * lose again retry on their own.
   */
  const appendWave = Effect.fnUntraced(function* (wave: ReadonlyArray<StreamAppend>, recordedAt: string) {
    const heads = yield* knownHeads(
      wave.filter(({ expectedVersion, events }) => expectedVersion !== 0 && events.length > 0).map((a) => a.streamId),
    );
    const versioned = wave.map(({ streamId, expectedVersion, events }): VersionedAppend => {
      const head = heads.get(streamId) ?? 0;
      const distinct = distinctById(events);
      return expectedVersion === "any"
        ? { streamId, expectedVersion: head, events: distinct, expectedVersionExists: true }
        : { streamId, expectedVersion, events: distinct, expectedVersionExists: expectedVersion <= head };
    });
    const results = [...(yield* appendRemembered(versioned, recordedAt))];
    const lost = versioned.filter((_, index) => results[index]?._tag === "Conflict");
    const actualVersions = yield* readStreamHeads(
      collections,
      lost.map((append) => append.streamId),
    );
    const retried = wave.flatMap(({ expectedVersion }, index) =>
      expectedVersion === "any" && results[index]?._tag === "Conflict" ? [index] : [],
    );
    const retriedResults = yield* appendRemembered(
      retried.map((index): VersionedAppend => {
        const { streamId, events } = versioned[index] as VersionedAppend;
        return { streamId, expectedVersion: actualVersions.get(streamId) ?? 0, events, expectedVersionExists: true };
      }),
      recordedAt,
    );
    retried.forEach((index, position) => {
      results[index] = retriedResults[position] as VersionedAppendResult;
    });
    return yield* Effect.forEach(
      wave,
      (append, index): Effect.Effect<StreamAppendOutcome, EventStoreUnavailable> => {
        const { streamId, expectedVersion } = append;
        const result = results[index];
        const stored =
          result?._tag === "Appended"
            ? Effect.succeed(result.events)
            : expectedVersion === "any"
              ? appendAtReadHead(streamId, versioned[index]?.events ?? [], recordedAt)
              : Effect.fail(
                  new ConcurrencyError({ streamId, expectedVersion, actualVersion: actualVersions.get(streamId) ?? 0 }),
                );
        return stored.pipe(
          Effect.map((envelopes): StreamAppendOutcome => {
            const storedById = new Map(envelopes.map((envelope) => [envelope.id, envelope]));
            return { _tag: "Appended", streamId, events: inCallerOrder(append.events, storedById) };
          }),
          Effect.catchTag("ConcurrencyError", (error) =>
            Effect.succeed<StreamAppendOutcome>({ _tag: "Conflict", error }),
          ),
        );
      },
      { concurrency: 8 },
    );
  });

  const appendStreams = Effect.fnUntraced(function* (appends: ReadonlyArray<StreamAppend>) {
    for (const { streamId, expectedVersion, events } of appends) yield* checkAppend(streamId, expectedVersion, events);
    const recordedAt = yield* recordedNow;
    const outcomes: Array<StreamAppendOutcome> = [];
    for (const wave of inWaves(appends)) {
      const settled = yield* appendWave(
        wave.map((index) => appends[index] as StreamAppend),
        recordedAt,
      );
      wave.forEach((index, position) => {
        outcomes[index] = settled[position] as StreamAppendOutcome;
      });
    }
    return outcomes;
  });

  const appendToStream = Effect.fn("EventStore.appendToStream")(function* (
    streamId: StreamId,
    expectedVersion: ExpectedVersion,
    events: ReadonlyArray<PendingEvent>,
  ) {
    const [outcome] = yield* appendStreams([{ streamId, expectedVersion, events }]);
    if (outcome?._tag === "Conflict") return yield* outcome.error;
    return outcome?.events ?? [];
  });

  return EventStore.of({
    appendToStream,
    appendBatch: Effect.fn("EventStore.appendBatch")(appendStreams),
    readStream: (streamId, fromVersion = 1) =>
      readStreamPages(collections, streamId, fromVersion).pipe(Stream.withSpan("EventStore.readStream")),
    readAll: (options = {}) => readAllPages(collections, options).pipe(Stream.withSpan("EventStore.readAll")),
    streamVersion: Effect.fn("EventStore.streamVersion")(function* (streamId: StreamId) {
      return yield* readHead(streamId);
    }),
    getEvent: Effect.fn("EventStore.getEvent")(function* (id: EventId) {
      const document = yield* tryMongo("getEvent", () => collections.events.findOne({ _id: id }));
      return Option.map(Option.fromNullishOr(document), fromEventDocument);
    }),
    findCausedBy: Effect.fn("EventStore.findCausedBy")(function* (id: EventId) {
      const documents = yield* tryMongo("findCausedBy", () =>
        collections.events.find({ causationId: id }).sort({ _id: 1 }).toArray(),
      );
      return documents.map(fromEventDocument);
    }),
    unpublished: Effect.fn("EventStore.unpublished")(function* (options: {
      readonly recordedBefore: Date;
      readonly limit: number;
    }) {
      // limit(0) would mean "no limit" to MongoDB.
      if (options.limit < 1) return [];
      const pending = yield* tryMongo("unpublished", () => outbox.stale(options.recordedBefore, options.limit));
      if (pending.length === 0) return [];
      // One query for all of them: MongoDB serves it from the _id index, and FerretDB 1.x
      // scans `events` for any filter but one `_id`, so once instead of per event.
      const stored = yield* tryMongo("unpublished", () =>
        collections.events.find({ _id: { $in: [...pending] } }).toArray(),
      );
      const byId = new Map(stored.map((document) => [document._id, document]));
      const orphans = pending.filter((id) => !byId.has(id));
      if (orphans.length > 0) {
        // Left by an append that failed or crashed between its two writes: nothing to publish.
        yield* tryMongo("unpublished", () => outbox.settle(orphans));
      }
      return pending.flatMap((id) => {
        const document = byId.get(id);
        return document === undefined ? [] : [fromEventDocument(document)];
      });
    }),
    markPublished: Effect.fn("EventStore.markPublished")(function* (ids: ReadonlyArray<EventId>) {
      if (ids.length === 0) return;
      yield* tryMongo("markPublished", () => outbox.settle(ids));
    }),
  });
});

/**
 * The MongoDB event store. Starting the layer applies the store's migrations (indexes),
 * and fails with `EventStoreUnavailable` if the database cannot be reached.
 *
 * @example
 * const client = new MongoClient(process.env.MONGODB_URI ?? "mongodb://127.0.0.1:27017/");
 * const StoreLive = layerMongo({ client, databaseName: "anansky" });
 * await Effect.runPromise(program.pipe(Effect.provide(StoreLive)));
 */
export const layerMongo = (options: MongoEventStoreOptions): Layer.Layer<EventStore, EventStoreUnavailable> =>
  Layer.effect(EventStore, makeMongoEventStore(options));
