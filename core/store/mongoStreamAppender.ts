/**
 * Appends to many streams at once on MongoDB, without transactions. The unique index on
 * (streamId, streamVersion) decides who gets a version, the unique _id makes appends
 * idempotent. Each round is one insertMany (ordered: false); every duplicate-key error is
 * then sorted out with one find by _id: the event is already stored (idempotent) or
 * another writer holds that version (a conflict). An append that loses has the documents
 * it inserted deleted again (compensation: they are unpublished and unannounced, and the
 * outbox sweep only takes events older than its grace period).
 *
 * The writer that got version expectedVersion + 1 owns the stream position: a later
 * version can only be held by a writer that lost that race and is about to delete its
 * documents, so the owner retries those versions for a while instead of giving up.
 *
 * An append whose expected version is known to exist and that meets no duplicate costs two
 * inserts (its outbox entry and its events) and nothing else. Reads, which scan `events` on FerretDB, happen only after a
 * duplicate key or for an expected version not known to exist.
 */
import { Duration, Effect, Random } from "effect";
import { MongoBulkWriteError } from "mongodb";
import type { EventEnvelope, PendingEvent, StreamId } from "../events/EventEnvelope.ts";
import type { EventId } from "../events/EventId.ts";
import { EventStoreUnavailable } from "./Errors.ts";
import { type EventStoreCollections, tryMongo } from "./mongoCollections.ts";
import { fromEventDocument, toEventDocument } from "./mongoEventDocument.ts";
import type { MongoOutbox } from "./mongoOutbox.ts";
import { stampEvent } from "./stampEvents.ts";

/** One stream's append at a known version; `events` must be distinct by id. */
export interface VersionedAppend {
  readonly streamId: StreamId;
  readonly expectedVersion: number;
  readonly events: ReadonlyArray<PendingEvent>;
  /**
   * True when an event at expectedVersion is known to exist (a head just read, or a version
   * a successful append stored). Otherwise it is checked first: the unique index catches a
   * version that is behind the stream, not one that is ahead of it (which would leave a gap).
   */
  readonly expectedVersionExists?: boolean | undefined;
}

export type VersionedAppendResult =
  /** `events` in the append's order; `storedHead` is the last version this call wrote, if any. */
  | {
      readonly _tag: "Appended";
      readonly events: ReadonlyArray<EventEnvelope>;
      readonly storedHead: number | undefined;
    }
  /** The stream was not at the expected version; finding where it is costs a read the caller may not need. */
  | { readonly _tag: "Conflict" };

interface AppendState {
  readonly append: VersionedAppend;
  planned: ReadonlyArray<EventEnvelope>;
  /** Stored copies of this append's events, learned from duplicate-key errors. */
  readonly known: Map<EventId, EventEnvelope>;
  /** Documents this call inserted: deleted again if the append ends in a conflict. */
  inserted: Set<EventId>;
  ownerRetries: number;
  outcome: "Appended" | "Conflict" | undefined;
}

const duplicateKeyCode = 11000;
const maxOwnerRetries = 12;
const maxRounds = 30;

// The losers of a race need two round trips (find, delete) before the owner can retry.
// The owner is alone in waiting, so half the bound is fixed: the retries span ~0.3-0.6 s.
const ownerRetryDelay = (retry: number) => {
  const bound = Math.min(100, 5 * 1.5 ** retry);
  return Random.nextIntBetween(bound / 2, bound).pipe(
    Effect.flatMap((millis) => Effect.sleep(Duration.millis(millis))),
  );
};

type InsertResult =
  | { readonly _tag: "Inserted"; readonly duplicates: ReadonlySet<number> }
  | { readonly _tag: "Failed"; readonly reason: string; readonly failedIndexes: ReadonlySet<number> | undefined };

const duplicateIndexes = (error: unknown): ReadonlySet<number> | undefined => {
  if (!(error instanceof MongoBulkWriteError)) return undefined;
  const writeErrors = [error.writeErrors].flat();
  return writeErrors.length > 0 && writeErrors.every((writeError) => writeError.code === duplicateKeyCode)
    ? new Set(writeErrors.map((writeError) => writeError.index))
    : undefined;
};

/**
 * Inserts without stopping at duplicates; only non-duplicate failures are failures.
 * The outbox entry goes first: a crash between the two writes leaves an entry whose events
 * are missing (the sweeper drops them), never an event that nobody will publish.
 */
const insertDocuments = (
  collections: EventStoreCollections,
  outbox: MongoOutbox,
  envelopes: ReadonlyArray<EventEnvelope>,
) =>
  envelopes.length === 0
    ? Effect.succeed<InsertResult>({ _tag: "Inserted", duplicates: new Set() })
    : Effect.tryPromise({
        try: async (): Promise<InsertResult> => {
          const entryId = await outbox.record(
            envelopes.map((envelope) => envelope.id),
            new Date(envelopes[0]?.recordedAt ?? Date.now()),
          );
          const result = await collections.events.insertMany(envelopes.map(toEventDocument), { ordered: false }).then(
            (): InsertResult => ({ _tag: "Inserted", duplicates: new Set() }),
            (error: unknown): InsertResult => {
              if (!(error instanceof MongoBulkWriteError)) {
                return { _tag: "Failed", reason: String(error), failedIndexes: undefined };
              }
              const duplicates = duplicateIndexes(error);
              return duplicates !== undefined
                ? { _tag: "Inserted", duplicates }
                : {
                    _tag: "Failed",
                    reason: error.message,
                    failedIndexes: new Set([error.writeErrors].flat().map((e) => e.index)),
                  };
            },
          );
          // Events stored before are published (or listed) by whoever stored them, not by this entry.
          if (result._tag === "Inserted" && result.duplicates.size > 0) {
            await outbox.settleInEntry(
              entryId,
              [...result.duplicates].flatMap((index) => envelopes[index]?.id ?? []),
            );
          }
          return result;
        },
        catch: (cause) => new EventStoreUnavailable({ operation: "appendEvents", reason: String(cause) }),
      });

const storedCopies = Effect.fnUntraced(function* (collections: EventStoreCollections, ids: ReadonlyArray<EventId>) {
  if (ids.length === 0) return new Map<EventId, EventEnvelope>();
  const documents = yield* tryMongo("appendEvents", () => collections.events.find({ _id: { $in: ids } }).toArray());
  return new Map(documents.map((document) => [document._id as EventId, fromEventDocument(document)]));
});

const compensate = (collections: EventStoreCollections, outbox: MongoOutbox, ids: ReadonlyArray<EventId>) =>
  ids.length === 0
    ? Effect.void
    : tryMongo("compensateAppend", () =>
        collections.events.deleteMany({ _id: { $in: [...ids] } }).then(() => outbox.settle(ids)),
      );

const plan = (state: AppendState, recordedAt: string): ReadonlyArray<EventEnvelope> => {
  const { streamId, expectedVersion, events } = state.append;
  return events
    .filter((event) => !state.known.has(event.id))
    .map((event, index) => stampEvent(event, streamId, expectedVersion + 1 + index, recordedAt));
};

const isInPlace = (planned: EventEnvelope, stored: EventEnvelope | undefined) =>
  stored === undefined || (stored.streamId === planned.streamId && stored.streamVersion === planned.streamVersion);

/** Decides an append after a round; returns the ids to delete (compensation). */
const settle = (state: AppendState, conflicts: number, recordedAt: string): ReadonlyArray<EventId> => {
  const { events } = state.append;
  if (events.every((event) => state.known.has(event.id))) {
    state.outcome = "Appended"; // everything was stored before: idempotent, whatever the version
    return [];
  }
  const undo = [...state.inserted];
  // A stored event away from where this call would put it: plan again around it.
  if (state.planned.some((planned) => !isInPlace(planned, state.known.get(planned.id)))) {
    state.inserted = new Set();
    state.planned = plan(state, recordedAt);
    return undo;
  }
  if (conflicts === 0) {
    state.outcome = "Appended";
    return [];
  }
  const first = state.planned[0];
  const ownsPosition = first !== undefined && (state.inserted.has(first.id) || state.known.has(first.id));
  if (ownsPosition && state.ownerRetries < maxOwnerRetries) {
    state.ownerRetries++;
    return [];
  }
  state.outcome = "Conflict";
  state.inserted = new Set();
  return undo;
};

const insertRound = Effect.fnUntraced(function* (
  collections: EventStoreCollections,
  outbox: MongoOutbox,
  states: ReadonlyArray<AppendState>,
  recordedAt: string,
) {
  const open = states.filter((state) => state.outcome === undefined);
  const batch = open.flatMap((state) =>
    state.planned
      .filter((planned) => !state.inserted.has(planned.id) && !state.known.has(planned.id))
      .map((envelope) => ({ state, envelope })),
  );
  const inserted = yield* insertDocuments(
    collections,
    outbox,
    batch.map((item) => item.envelope),
  );
  if (inserted._tag === "Failed") {
    const { failedIndexes } = inserted;
    const insertedNow = batch.filter((_, index) => failedIndexes !== undefined && !failedIndexes.has(index));
    const undo = [...states.flatMap((state) => [...state.inserted]), ...insertedNow.map((item) => item.envelope.id)];
    yield* compensate(collections, outbox, undo).pipe(Effect.ignore);
    return yield* new EventStoreUnavailable({ operation: "appendEvents", reason: inserted.reason });
  }
  const duplicateIds = [...inserted.duplicates].flatMap((index) => batch[index]?.envelope.id ?? []);
  const found = yield* storedCopies(collections, duplicateIds);
  const conflicts = new Map<AppendState, number>();
  batch.forEach(({ state, envelope }, index) => {
    const stored = found.get(envelope.id);
    if (!inserted.duplicates.has(index)) state.inserted.add(envelope.id);
    else if (stored !== undefined) state.known.set(envelope.id, stored);
    else conflicts.set(state, (conflicts.get(state) ?? 0) + 1);
  });
  yield* compensate(
    collections,
    outbox,
    open.flatMap((state) => settle(state, conflicts.get(state) ?? 0, recordedAt)),
  );
  const ownerRetries = open.filter((state) => state.outcome === undefined).map((state) => state.ownerRetries);
  if (ownerRetries.length > 0) yield* ownerRetryDelay(Math.max(0, ...ownerRetries));
});

/**
 * Settles, before anything is inserted, the appends whose expected version does not exist
 * in their stream: conflicts, unless every one of their events is stored already.
 */
const settleAppendsAheadOfTheirStream = Effect.fnUntraced(function* (
  collections: EventStoreCollections,
  states: ReadonlyArray<AppendState>,
) {
  const unchecked = states.filter(
    ({ append, outcome }) =>
      outcome === undefined && append.expectedVersion > 0 && append.expectedVersionExists !== true,
  );
  if (unchecked.length === 0) return;
  const present = yield* tryMongo("appendEvents", () =>
    collections.events
      .find({
        $or: unchecked.map(({ append }) => ({ streamId: append.streamId, streamVersion: append.expectedVersion })),
      })
      .project<{ readonly streamId: string; readonly streamVersion: number }>({ _id: 0, streamId: 1, streamVersion: 1 })
      .toArray(),
  );
  const presentKeys = new Set(present.map(({ streamId, streamVersion }) => `${streamVersion}/${streamId}`));
  const ahead = unchecked.filter(({ append }) => !presentKeys.has(`${append.expectedVersion}/${append.streamId}`));
  const found = yield* storedCopies(
    collections,
    ahead.flatMap(({ append }) => append.events.map((event) => event.id)),
  );
  for (const state of ahead) {
    const allStored = state.append.events.every((event) => found.has(event.id));
    for (const event of allStored ? state.append.events : [])
      state.known.set(event.id, found.get(event.id) as EventEnvelope);
    state.outcome = allStored ? "Appended" : "Conflict";
  }
});

/**
 * Appends each entry at its expected version; entries for the same stream are separate
 * appends (give them consecutive expected versions to append them in order).
 *
 * @example
 * const [result] = yield* appendVersioned(collections, outbox, [{ streamId, expectedVersion: 3, events }], recordedAt);
 */
export const appendVersioned = Effect.fnUntraced(function* (
  collections: EventStoreCollections,
  outbox: MongoOutbox,
  appends: ReadonlyArray<VersionedAppend>,
  recordedAt: string,
): Effect.fn.Return<ReadonlyArray<VersionedAppendResult>, EventStoreUnavailable> {
  const states: ReadonlyArray<AppendState> = appends.map((append) => {
    const state: AppendState = {
      append,
      planned: [],
      known: new Map(),
      inserted: new Set(),
      ownerRetries: 0,
      outcome: append.events.length === 0 ? "Appended" : undefined,
    };
    state.planned = plan(state, recordedAt);
    return state;
  });
  yield* settleAppendsAheadOfTheirStream(collections, states);
  for (let rounds = 0; rounds < maxRounds && states.some((state) => state.outcome === undefined); rounds++) {
    yield* insertRound(collections, outbox, states, recordedAt);
  }
  const unsettled = states.filter((state) => state.outcome === undefined);
  yield* compensate(
    collections,
    outbox,
    unsettled.flatMap((state) => [...state.inserted]),
  );
  for (const state of unsettled) state.outcome = "Conflict";

  return states.map((state): VersionedAppendResult => {
    if (state.outcome === "Conflict") return { _tag: "Conflict" };
    const plannedById = new Map(state.planned.map((planned) => [planned.id, planned]));
    const events = state.append.events.flatMap((event) => state.known.get(event.id) ?? plannedById.get(event.id) ?? []);
    const written = state.planned.filter((planned) => state.inserted.has(planned.id)).map((p) => p.streamVersion);
    return { _tag: "Appended", events, storedHead: written.length > 0 ? Math.max(...written) : undefined };
  });
});
