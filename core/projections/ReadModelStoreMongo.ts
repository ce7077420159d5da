/**
 * The read-model store on MongoDB (or FerretDB): one collection per projection, documents
 * under `_id`, checkpoints in `projection_checkpoints`. `writeMany` is unordered bulkWrites
 * of replace-upserts and deletes, 48 per command (see mongoBulk.ts). Nothing here needs
 * transactions or atomic read-modify-write updates, which FerretDB 1.x lacks.
 */

import { Array as Arr, Effect, Layer, Option, Result, Schema, Stream } from "effect";
import { type AnyBulkWriteOperation, type Document, type MongoClient, MongoServerError } from "mongodb";
import { bulkWriteInChunks, idFilter, isDuplicateKeyOnly } from "../store/mongoBulk.ts";
import type { ReadModelIndex } from "./defineProjection.ts";
import { ReadModelConstraintViolation, ReadModelStoreUnavailable } from "./Errors.ts";
import {
  checkpointCollection,
  type DocumentWrite,
  type FindOptions,
  ProjectionCheckpoint,
  ReadModelInternalKeys,
  ReadModelStore,
  type ReadModelView,
  type StoredDocument,
} from "./ReadModelStore.ts";
import { invalidDocumentKey, toView, type ValidatedFind, validateFind, validateIndexKeys } from "./readModelQuery.ts";
import { uniqueInIdOrder } from "./storedIdOrder.ts";

export interface MongoReadModelStoreOptions {
  /** A client the caller owns (connects lazily, closed by the caller). */
  readonly client: MongoClient;
  readonly databaseName: string;
  /** Prepended to every collection name (tests use a unique prefix). */
  readonly collectionPrefix?: string | undefined;
}

interface ReadModelDocument extends Document {
  _id: string;
}

const namespaceNotFoundCode = 26;
/** FerretDB 1.x answers a renameCollection with dropTarget: true this way. */
const notImplementedCode = 238;

const describe = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));

const tryMongo = <A>(operation: string, run: () => Promise<A>): Effect.Effect<A, ReadModelStoreUnavailable> =>
  Effect.tryPromise({
    try: run,
    catch: (cause) => new ReadModelStoreUnavailable({ operation, reason: describe(cause) }),
  });

/**
 * Ids per query of `streamMany`: FerretDB 1.x sorts a query's documents in its own memory
 * (MongoDB walks the `_id` index), so a query is bounded; each costs FerretDB a scan.
 */
const idsPerStreamQuery = 1_000;
const defaultPerReply = 100;

const withoutId = ({ _id, ...rest }: ReadModelDocument): StoredDocument => rest;

/** The MongoDB filter for a validated query: rebuilt from checked parts only, tombstones excluded. */
const mongoFilter = (query: ValidatedFind): Document => {
  const filter: Document = { [ReadModelInternalKeys.deleted]: { $exists: false } };
  for (const field of query.fields) {
    const operators: Document = {};
    for (const condition of field.conditions) {
      operators[condition.op] = condition.op === "$in" ? [...condition.values] : condition.value;
    }
    filter[field.path] = operators;
  }
  return filter;
};

const revision = ReadModelInternalKeys.revision;

/**
 * A conditional replacement matches only the expected revision; when it moved on, the
 * upsert tries to insert a second document with the same `_id`, which fails with 11000.
 */
const writeOperation = ({
  id,
  doc,
  expectedRevision,
  create,
}: DocumentWrite & { readonly doc: StoredDocument }): AnyBulkWriteOperation<ReadModelDocument> => {
  const { [revision]: _ignored, ...fields } = doc;
  if (create === true) return { insertOne: { document: { ...fields, _id: id } } };
  if (expectedRevision === undefined) {
    return { replaceOne: { filter: { _id: id }, replacement: { ...fields, _id: id }, upsert: true } };
  }
  const filter = { _id: id, [revision]: expectedRevision === 0 ? { $exists: false } : expectedRevision };
  return {
    replaceOne: { filter, replacement: { ...fields, _id: id, [revision]: expectedRevision + 1 }, upsert: true },
  };
};

const makeMongoReadModelStore = (options: MongoReadModelStoreOptions) => {
  const db = options.client.db(options.databaseName);
  const collectionName = (name: string) => `${options.collectionPrefix ?? ""}${name}`;
  const collection = (name: string) => db.collection<ReadModelDocument>(collectionName(name));
  const checkpoints = collection(checkpointCollection);
  const decodeCheckpoint = Schema.decodeUnknownResult(ProjectionCheckpoint);

  const writeMany = Effect.fn("ReadModelStore.writeMany")(function* (
    name: string,
    writes: ReadonlyArray<DocumentWrite>,
  ) {
    if (writes.length === 0) return;
    for (const { id, doc } of writes) {
      const badKey = invalidDocumentKey(doc);
      if (badKey !== undefined) return yield* Effect.die(new Error(`${name}/${id}: invalid document key ${badKey}`));
    }
    // Several deletes as one deleteMany: FerretDB 1.x scans the collection once per statement.
    const deletedIds = writes.flatMap(({ id, doc }) => (doc === undefined ? [id] : []));
    const [onlyDeleted] = deletedIds;
    const deletes: Array<AnyBulkWriteOperation<ReadModelDocument>> =
      deletedIds.length > 1
        ? [{ deleteMany: { filter: { _id: { $in: deletedIds } } } }]
        : onlyDeleted === undefined
          ? []
          : [{ deleteOne: { filter: { _id: onlyDeleted } } }];
    const operations = [
      ...writes.flatMap((write) => (write.doc === undefined ? [] : [writeOperation({ ...write, doc: write.doc })])),
      ...deletes,
    ];
    yield* Effect.tryPromise({
      try: () => bulkWriteInChunks(collection(name), operations),
      catch: (cause) =>
        isDuplicateKeyOnly(cause)
          ? new ReadModelConstraintViolation({ collection: name, reason: describe(cause) })
          : new ReadModelStoreUnavailable({ operation: "writeMany", reason: describe(cause) }),
    });
  });

  const find = Effect.fn("ReadModelStore.find")(function* (
    name: string,
    filter: Readonly<Record<string, unknown>>,
    findOptions?: FindOptions,
  ) {
    const query = yield* validateFind(filter, findOptions);
    const documents = yield* tryMongo("find", () => {
      const cursor = collection(name)
        .find(mongoFilter(query), { projection: { [ReadModelInternalKeys.applied]: 0 } })
        .sort(query.sort.map((key): [string, 1 | -1] => [key.path, key.direction]))
        .skip(query.skip);
      return (query.limit === undefined ? cursor : cursor.limit(query.limit)).toArray();
    });
    return documents.flatMap((document) => toView(document._id, withoutId(document)) ?? []);
  });

  const ensureIndexes = Effect.fn("ReadModelStore.ensureIndexes")(function* (
    name: string,
    indexes: ReadonlyArray<ReadModelIndex>,
  ) {
    yield* Effect.forEach(indexes, (index) => validateIndexKeys(index.keys), { discard: true });
    if (indexes.length === 0) return;
    // One index per call: FerretDB 1.24 panics (dropping the connection, and with it the
    // pool) on a createIndexes naming several indexes that already exist.
    for (const index of indexes) {
      yield* tryMongo("ensureIndexes", () =>
        collection(name).createIndexes([
          {
            key: { ...index.keys },
            // Sparse: tombstones lack the indexed fields and must not collide with each other.
            ...(index.unique === true ? { unique: true, sparse: true } : {}),
          },
        ]),
      );
    }
  });

  /** A collection operation for which a missing collection is no error. */
  const unlessMissing = (operation: string, run: () => Promise<unknown>) =>
    Effect.tryPromise({ try: run, catch: (cause) => cause }).pipe(
      Effect.asVoid,
      Effect.catch((cause) =>
        cause instanceof MongoServerError && cause.code === namespaceNotFoundCode
          ? Effect.void
          : Effect.fail(new ReadModelStoreUnavailable({ operation, reason: describe(cause) })),
      ),
    );

  const drop = Effect.fn("ReadModelStore.drop")(function* (name: string) {
    yield* unlessMissing("drop", () => collection(name).drop());
  });

  return ReadModelStore.of({
    loadMany: Effect.fn("ReadModelStore.loadMany")(function* (name: string, ids: ReadonlyArray<string>) {
      if (ids.length === 0) return new Map<string, StoredDocument>();
      // One query for all ids (see idFilter): on FerretDB one `$in` beats a query per id
      // from about ten ids on.
      const documents = yield* tryMongo("loadMany", () => collection(name).find(idFilter(ids)).toArray());
      return new Map(documents.map((document) => [document._id, withoutId(document)]));
    }),
    streamMany: (name: string, ids: ReadonlyArray<string>, { perReply = defaultPerReply } = {}) => {
      const batchSize = Math.max(1, Math.floor(perReply));
      return Stream.fromIterable(Arr.chunksOf(uniqueInIdOrder(ids), idsPerStreamQuery)).pipe(
        Stream.flatMap((queryIds) =>
          // A fresh cursor per run of the stream; taking less than all of it closes the cursor.
          Stream.suspend(() =>
            Stream.fromAsyncIterable(
              collection(name).find(idFilter(queryIds)).sort({ _id: 1 }).batchSize(batchSize),
              (cause) => new ReadModelStoreUnavailable({ operation: "streamMany", reason: describe(cause) }),
            ),
          ),
        ),
        Stream.map((document) => [document._id, withoutId(document)] as const),
        // The next reply is asked for while this one is taken. No span around the stream:
        // Stream.withSpan made a backtest over 1,000,000 readings 40 % slower (each pull runs
        // in it); the driver's own spans still show each query and getMore.
        Stream.buffer({ capacity: batchSize }),
      );
    },
    writeMany,
    drop,
    replaceCollection: Effect.fn("ReadModelStore.replaceCollection")(function* (target: string, from: string) {
      const renamed = yield* Effect.tryPromise({
        try: () => collection(from).rename(collectionName(target), { dropTarget: true }),
        catch: (cause) => cause,
      }).pipe(Effect.result);
      if (renamed._tag === "Success") return;
      const cause = renamed.failure;
      const code = cause instanceof MongoServerError ? cause.code : undefined;
      if (code === namespaceNotFoundCode) return yield* drop(target);
      if (code !== notImplementedCode)
        return yield* new ReadModelStoreUnavailable({ operation: "replaceCollection", reason: describe(cause) });
      // FerretDB 1.x: no dropTarget.
      yield* drop(target);
      yield* unlessMissing("replaceCollection", () => collection(from).rename(collectionName(target)));
    }),
    ensureIndexes,
    find,
    get: Effect.fn("ReadModelStore.get")(function* (name: string, id: string) {
      const document = yield* tryMongo("get", () => collection(name).findOne({ _id: id }));
      const view: ReadModelView | undefined = document === null ? undefined : toView(id, withoutId(document));
      return Option.fromNullishOr(view);
    }),
    getCheckpoint: Effect.fn("ReadModelStore.getCheckpoint")(function* (name: string) {
      const document = yield* tryMongo("getCheckpoint", () => checkpoints.findOne({ _id: name }));
      if (document === null) return Option.none<ProjectionCheckpoint>();
      const decoded = decodeCheckpoint(withoutId(document));
      // An unreadable checkpoint is treated as missing: the projection is rebuilt.
      if (Result.isFailure(decoded)) {
        yield* Effect.logWarning(`projection ${name}: ignoring an unreadable checkpoint: ${decoded.failure.message}`);
        return Option.none<ProjectionCheckpoint>();
      }
      return Option.some(decoded.success);
    }),
    setCheckpoint: Effect.fn("ReadModelStore.setCheckpoint")(function* (checkpoint: ProjectionCheckpoint) {
      yield* tryMongo("setCheckpoint", () =>
        checkpoints.replaceOne({ _id: checkpoint.name }, { ...checkpoint, _id: checkpoint.name }, { upsert: true }),
      );
    }),
  });
};

/**
 * The MongoDB read-model store.
 *
 * @example
 * const client = new MongoClient(process.env.MONGODB_URI ?? "mongodb://127.0.0.1:27017/");
 * const ReadModelsLive = layerMongo({ client, databaseName: "anansky" });
 * await Effect.runPromise(program.pipe(Effect.provide(ReadModelsLive)));
 */
export const layerMongo = (options: MongoReadModelStoreOptions): Layer.Layer<ReadModelStore> =>
  Layer.sync(ReadModelStore, () => makeMongoReadModelStore(options));
