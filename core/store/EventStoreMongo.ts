/**
 * The event store on MongoDB (or a MongoDB-wire server such as FerretDB): one document per
 * event in `events`, optimistic concurrency through the unique (streamId, streamVersion)
 * index, idempotency through `_id` = event id, and an `outbox` of events Kafka has not
 * acknowledged yet.
 * It needs no transactions, change streams or atomic read-modify-write updates, which
 * FerretDB 1.x lacks; see mongoStreamAppender.ts for how appends work without them.
 */
import { Clock, Duration, Effect, Layer, Option, Random, Schedule, Stream } from "effect";
import type { MongoClient } from "mongodb";
import type { PendingEvent, StreamId } from "../events/EventEnvelope.ts";
import type { EventId } from "../events/EventId.ts";
import { ConcurrencyError, type EventStoreUnavailable } from "./Errors.ts";
import { EventStore, type ExpectedVersion, type StreamAppend, type StreamAppendOutcome } from "./EventStore.ts";
import { eventStoreCollections, tryMongo } from "./mongoCollections.ts";
import { fromEventDocument } from "./mongoEventDocument.ts";
import { readAllPages, readStreamPages } from "./mongoEventReads.ts";
import { appendVersioned, type VersionedAppend, type VersionedAppendResult } from "./mongoStreamAppender.ts";
import { raiseStreamHints, readStreamHeads } from "./mongoStreamHeads.ts";
import { checkAppend, distinctById, inCallerOrder, isoMillis } from "./stampEvents.ts";
import { applyStoreMigrations } from "./storeMigrations.ts";

export interface MongoEventStoreOptions {
  /** A client the caller owns (connects lazily, closed by the caller). */
  readonly client: MongoClient;
  readonly databaseName: string;
  /** Prepended to the collection names (`events`, `streams`, `schema_migrations`). */
  readonly collectionPrefix?: string | undefined;
}

// Full jitter (a random wait up to an exponential bound) pulls writers that lost the
// same race apart; the default +-20% jitter would keep them colliding in lockstep.
const headRaceRetries = 9;
const headRaceBackoff = Schedule.exponential("4 millis").pipe(
  Schedule.modifyDelay(({ duration }) =>
    Random.nextBetween(0, Math.min(250, Duration.toMillis(duration))).pipe(Effect.map(Duration.millis)),
  ),
  Schedule.upTo({ times: headRaceRetries }),
);

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

const makeMongoEventStore = Effect.fnUntraced(function* (options: MongoEventStoreOptions) {
  const collections = eventStoreCollections(options.client.db(options.databaseName), options.collectionPrefix);
  yield* applyStoreMigrations(collections);

  const recordedNow = Effect.map(Clock.currentTimeMillis, isoMillis);

  const raiseHints = (appends: ReadonlyArray<VersionedAppend>, results: ReadonlyArray<VersionedAppendResult>) => {
    const heads = new Map<string, number>();
    results.forEach((result, index) => {
      const streamId = appends[index]?.streamId;
      if (result._tag === "Appended" && result.storedHead !== undefined && streamId !== undefined) {
        heads.set(streamId, Math.max(heads.get(streamId) ?? 0, result.storedHead));
      }
    });
    return raiseStreamHints(collections, heads);
  };

  /** Appends distinct events at a numeric version: the unique index decides. */
  const appendAt = Effect.fnUntraced(function* (append: VersionedAppend, recordedAt: string) {
    const results = yield* appendVersioned(collections, [append], recordedAt);
    yield* raiseHints([append], results);
    const [result] = results;
    if (result?._tag !== "Appended") {
      const { streamId, expectedVersion } = append;
      return yield* new ConcurrencyError({ streamId, expectedVersion, actualVersion: result?.actualVersion ?? 0 });
    }
    return result.events;
  });

  /** Appends at the current head, reading it again after each lost race. */
  const appendAtHead = (streamId: StreamId, events: ReadonlyArray<PendingEvent>, recordedAt: string) =>
    readStreamHeads(collections, [streamId]).pipe(
      Effect.flatMap((heads) =>
        appendAt(
          { streamId, expectedVersion: heads.get(streamId) ?? 0, events, expectedVersionIsHead: true },
          recordedAt,
        ),
      ),
      Effect.retry({ schedule: headRaceBackoff, while: (error) => error._tag === "ConcurrencyError" }),
      Effect.mapError((error) =>
        error._tag === "ConcurrencyError"
          ? new ConcurrencyError({ streamId, expectedVersion: "any", actualVersion: error.actualVersion })
          : error,
      ),
    );

  const appendToStream = Effect.fn("EventStore.appendToStream")(function* (
    streamId: StreamId,
    expectedVersion: ExpectedVersion,
    events: ReadonlyArray<PendingEvent>,
  ) {
    yield* checkAppend(streamId, expectedVersion, events);
    const distinct = distinctById(events);
    if (distinct.length === 0) return [];
    const recordedAt = yield* recordedNow;
    const stored =
      expectedVersion === "any"
        ? yield* appendAtHead(streamId, distinct, recordedAt)
        : yield* appendAt({ streamId, expectedVersion, events: distinct }, recordedAt);
    return inCallerOrder(events, new Map(stored.map((event) => [event.id, event])));
  });

  /** One append of a batch, settled: a lost race for a head is retried on its own. */
  const settleBatchAppend = (
    append: StreamAppend,
    versioned: VersionedAppend,
    result: VersionedAppendResult | undefined,
    recordedAt: string,
  ): Effect.Effect<StreamAppendOutcome, EventStoreUnavailable> => {
    const { streamId, expectedVersion, events } = versioned;
    const stored =
      result?._tag === "Appended"
        ? Effect.succeed(result.events)
        : versioned.expectedVersionIsHead
          ? appendAtHead(streamId, events, recordedAt)
          : Effect.fail(new ConcurrencyError({ streamId, expectedVersion, actualVersion: result?.actualVersion ?? 0 }));
    return stored.pipe(
      Effect.map((envelopes): StreamAppendOutcome => {
        const storedById = new Map(envelopes.map((envelope) => [envelope.id, envelope]));
        return { _tag: "Appended", streamId, events: inCallerOrder(append.events, storedById) };
      }),
      Effect.catchTag("ConcurrencyError", (error) => Effect.succeed<StreamAppendOutcome>({ _tag: "Conflict", error })),
    );
  };

  /** One insert round for appends to distinct streams. */
  const appendWave = Effect.fnUntraced(function* (wave: ReadonlyArray<StreamAppend>, recordedAt: string) {
    const anyStreams = wave.filter((append) => append.expectedVersion === "any").map((append) => append.streamId);
    const heads = yield* readStreamHeads(collections, anyStreams);
    const versioned = wave.map(({ streamId, expectedVersion, events }): VersionedAppend => {
      const distinct = distinctById(events);
      return expectedVersion === "any"
        ? { streamId, expectedVersion: heads.get(streamId) ?? 0, events: distinct, expectedVersionIsHead: true }
        : { streamId, expectedVersion, events: distinct };
    });
    const results = yield* appendVersioned(collections, versioned, recordedAt);
    yield* raiseHints(versioned, results);
    return yield* Effect.forEach(
      wave,
      (append, index) => settleBatchAppend(append, versioned[index] as VersionedAppend, results[index], recordedAt),
      { concurrency: 8 },
    );
  });

  const appendBatch = Effect.fn("EventStore.appendBatch")(function* (appends: ReadonlyArray<StreamAppend>) {
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

  return EventStore.of({
    appendToStream,
    appendBatch,
    readStream: (streamId, fromVersion = 1) =>
      readStreamPages(collections, streamId, fromVersion).pipe(Stream.withSpan("EventStore.readStream")),
    readAll: (options = {}) => readAllPages(collections, options).pipe(Stream.withSpan("EventStore.readAll")),
    streamVersion: Effect.fn("EventStore.streamVersion")(function* (streamId: StreamId) {
      const heads = yield* readStreamHeads(collections, [streamId]);
      return heads.get(streamId) ?? 0;
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
      const pending = yield* tryMongo("unpublished", () =>
        collections.outbox
          .find({ recordedAt: { $lt: options.recordedBefore } })
          .sort({ _id: 1 })
          .limit(options.limit)
          .toArray(),
      );
      // Point reads by _id: the one lookup every MongoDB-wire server serves from its index.
      const found = yield* Effect.forEach(
        pending,
        (entry) => tryMongo("unpublished", () => collections.events.findOne({ _id: entry._id })),
        { concurrency: 16 },
      );
      const orphans = pending.filter((_, index) => found[index] === null).map((entry) => entry._id);
      if (orphans.length > 0) {
        // Left by an append that failed or crashed between its two writes: nothing to publish.
        yield* tryMongo("unpublished", () => collections.outbox.deleteMany({ _id: { $in: orphans } }));
      }
      return found.flatMap((document) => (document === null ? [] : [fromEventDocument(document)]));
    }),
    markPublished: Effect.fn("EventStore.markPublished")(function* (ids: ReadonlyArray<EventId>) {
      if (ids.length === 0) return;
      yield* tryMongo("markPublished", () => collections.outbox.deleteMany({ _id: { $in: [...ids] } }));
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
