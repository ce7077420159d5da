/**
 * Where projections keep their documents and checkpoints. Implementations:
 * `ReadModelStoreMongo` (real; the only file here importing `mongodb`) and
 * `ReadModelStoreMemory` (unit tests); both pass `test/projections/readModelStoreContract.ts`.
 *
 * Documents are flat records stored under `_id`. Three top-level keys are the platform's
 * own (`ReadModelInternalKeys`): `_applied` (the stream versions folded into the document),
 * `_deleted` (a tombstone: the document was deleted but keeps `_applied`, so a late
 * redelivery cannot bring it back) and `_rev` (the revision conditional writes compare and
 * raise). `loadMany`/`streamMany`/`writeMany` see them; `find`/`get` (for plugin routes) never return
 * tombstones and strip these keys, keeping `_id`.
 */
import { Context, type Effect, type Option, Schema, type Stream } from "effect";
import type { ReadModelIndex } from "./defineProjection.ts";
import type { InvalidReadModelQuery, ReadModelConstraintViolation, ReadModelStoreUnavailable } from "./Errors.ts";

/** The bookkeeping keys every stored read-model document may carry; filters cannot use them. */
export const ReadModelInternalKeys = { applied: "_applied", deleted: "_deleted", revision: "_rev" } as const;

/** A stored document as projections see it: its fields plus the internal keys, without `_id`. */
export type StoredDocument = Readonly<Record<string, unknown>>;

/**
 * Replace (upsert) the document with `id`, or delete it when `doc` is undefined.
 *
 * With `expectedRevision`, a replacement is conditional: it applies only while the stored
 * document's `_rev` is that revision (0: no document, or one written unconditionally) and
 * stores `_rev` = expectedRevision + 1. On MongoDB two writers that loaded the same
 * revision cannot both win, so a slower one never overwrites a newer state with an older
 * one. FerretDB 1.x checks and replaces in separate steps: a write that arrives after
 * another committed is refused, but two in flight at the same instant can both apply
 * (see foldUntilVisible for where that matters). Without it
 * the replacement is unconditional and stores no `_rev`. Deletes are always unconditional.
 *
 * With `create`, the write is an insert of a document that must not exist yet (refused
 * like a unique index violation when it does): what a caller that makes fresh ids writes.
 * It costs no lookup, where FerretDB 1.x scans the collection for every upsert and delete.
 */
export interface DocumentWrite {
  readonly id: string;
  readonly doc: StoredDocument | undefined;
  readonly expectedRevision?: number | undefined;
  readonly create?: boolean | undefined;
}

export interface StreamManyOptions {
  /** Documents per store reply (at least 1; default 100). */
  readonly perReply?: number | undefined;
}

/** A document as routes see it: `_id` and the projection's fields. */
export type ReadModelView = { readonly _id: string } & Readonly<Record<string, unknown>>;

/**
 * A query on a read model, in a documented subset of MongoDB's language that both layers
 * evaluate identically. Keys are field paths (`"location.city"`, dotted paths traverse
 * arrays like MongoDB); values are a scalar (equality) or an object of operators:
 * `$in` (array of scalars), `$ne`, `$gt`, `$gte`, `$lt`, `$lte` (scalar) and `$exists`
 * (boolean). Scalars are strings, finite numbers, booleans, null and Dates. An array field
 * matches when any element matches; `null` also matches a missing field; `$gt`-style
 * comparisons only compare values of the same kind (numbers with numbers, ...). Any other
 * `$` key is rejected with `InvalidReadModelQuery` (no operator injection from a URL).
 *
 * @example
 * const filter: ReadModelFilter = { status: "online", "battery.level": { $lt: 20 }, tags: { $in: ["pump"] } };
 */
export type ReadModelFilter = Readonly<Record<string, unknown>>;

export interface FindOptions {
  /** Field path to 1 (ascending) or -1 (descending), in priority order; ties end sorted by `_id`. */
  readonly sort?: Readonly<Record<string, 1 | -1>> | undefined;
  /** At least 1 when given. */
  readonly limit?: number | undefined;
  readonly skip?: number | undefined;
}

/** Where a projection stands: `live` follows Kafka; `rebuilding` is replaying the event store. */
export const ProjectionCheckpoint = Schema.Struct({
  name: Schema.String,
  version: Schema.Int,
  status: Schema.Literals(["live", "rebuilding"]),
  /** The last event of the last batch folded, null before the first one. */
  lastEventId: Schema.NullOr(Schema.String),
  /** Events folded into documents since the last rebuild began. */
  eventsApplied: Schema.Int,
  /** ISO 8601 UTC. */
  updatedAt: Schema.String,
});
export type ProjectionCheckpoint = typeof ProjectionCheckpoint.Type;

/** The collection checkpoints live in (one document per projection, `_id` = its name). */
export const checkpointCollection = "projection_checkpoints";

/**
 * The read-model store service. Projections use loadMany/writeMany; plugin routes use
 * find/get, which only ever show live documents.
 *
 * @example
 * const lowBattery = yield* ReadModelStore.use((store) =>
 *   store.find("rm_devices", { "battery.level": { $lt: 20 } }, { sort: { name: 1 }, limit: 50 }),
 * );
 */
export class ReadModelStore extends Context.Service<
  ReadModelStore,
  {
    /**
     * The stored documents (tombstones included) with these ids; missing ids are absent.
     *
     * @example
     * const stored = yield* store.loadMany("rm_devices", ["d1", "d2"]);
     */
    loadMany(
      collection: string,
      ids: ReadonlyArray<string>,
    ): Effect.Effect<ReadonlyMap<string, StoredDocument>, ReadModelStoreUnavailable>;
    /**
     * The stored documents (tombstones included) with these ids, streamed in `_id` order
     * (`compareStoredIds`); missing ids are absent. Only a reply or two of at most
     * `perReply` documents is held at a time, the next fetched while the last is taken:
     * for reads larger than memory, such as a month of readings buckets.
     *
     * @example
     * yield* store.streamMany("rm_readings", bucketIds, { perReply: 16 }).pipe(Stream.runForEach(([id, doc]) => fold(id, doc)));
     */
    streamMany(
      collection: string,
      ids: ReadonlyArray<string>,
      options?: StreamManyOptions,
    ): Stream.Stream<readonly [string, StoredDocument], ReadModelStoreUnavailable>;
    /**
     * All writes in one round trip. A write that breaks a unique index, or a conditional
     * write whose revision moved on, is not applied and the call fails with
     * ReadModelConstraintViolation (MongoDB-wire servers report both as duplicate key 11000
     * and FerretDB does not say which index: callers reload and retry, and a violation that
     * persists is a real one). Whether the other writes of the call were applied is left
     * open (MongoDB applies them, FerretDB stops at the first error).
     *
     * @example
     * yield* store.writeMany("rm_devices", [{ id: "d1", doc: { name: "Pump" } }, { id: "d2", doc: undefined }]);
     */
    writeMany(
      collection: string,
      writes: ReadonlyArray<DocumentWrite>,
    ): Effect.Effect<void, ReadModelStoreUnavailable | ReadModelConstraintViolation>;
    /** Removes the collection and its indexes (no error when it does not exist). */
    drop(collection: string): Effect.Effect<void, ReadModelStoreUnavailable>;
    /**
     * Puts `from` (its documents and indexes) in the place of `target`, whose old contents
     * are gone; `from` no longer exists afterwards. MongoDB swaps them in one step; FerretDB
     * 1.x cannot rename over an existing collection, so `target` is dropped first and is
     * missing for that moment. A missing `from` leaves `target` empty.
     *
     * @example
     * yield* store.replaceCollection("rm_devices", "rm_devices__rebuild");
     */
    replaceCollection(target: string, from: string): Effect.Effect<void, ReadModelStoreUnavailable>;
    /**
     * Creates missing indexes. Unique indexes are sparse, so tombstones (which lack the
     * fields) never collide; a live document missing a unique field is not indexed either.
     */
    ensureIndexes(
      collection: string,
      indexes: ReadonlyArray<ReadModelIndex>,
    ): Effect.Effect<void, ReadModelStoreUnavailable | InvalidReadModelQuery>;
    /**
     * Documents matching the filter (see ReadModelFilter for the supported subset).
     *
     * @example
     * const low = yield* store.find("rm_devices", { "battery.level": { $lt: 20 } }, { sort: { name: 1 }, limit: 50 });
     */
    find(
      collection: string,
      filter: ReadModelFilter,
      options?: FindOptions,
    ): Effect.Effect<ReadonlyArray<ReadModelView>, ReadModelStoreUnavailable | InvalidReadModelQuery>;
    /** One document by id (none for a tombstone). */
    get(collection: string, id: string): Effect.Effect<Option.Option<ReadModelView>, ReadModelStoreUnavailable>;
    getCheckpoint(name: string): Effect.Effect<Option.Option<ProjectionCheckpoint>, ReadModelStoreUnavailable>;
    setCheckpoint(checkpoint: ProjectionCheckpoint): Effect.Effect<void, ReadModelStoreUnavailable>;
  }
>()("anansky/ReadModelStore") {}
