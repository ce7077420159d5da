/**
 * The read-model store in memory, for unit tests. It behaves like `ReadModelStoreMongo`
 * (both pass `readModelStoreContract`): documents are copied in and out the way BSON
 * round-trips them (undefined becomes null), queries follow MongoDB's semantics for the
 * supported subset, and unique indexes are enforced (sparse, as the Mongo layer creates them).
 */
import { Effect, Layer, Option, Predicate, Stream } from "effect";
import type { ReadModelIndex } from "./defineProjection.ts";
import { ReadModelConstraintViolation } from "./Errors.ts";
import {
  type DocumentWrite,
  type FindOptions,
  type ProjectionCheckpoint,
  ReadModelInternalKeys,
  ReadModelStore,
  type ReadModelView,
  type StoredDocument,
} from "./ReadModelStore.ts";
import { compareDocuments, matchesFilter } from "./readModelMatching.ts";
import { invalidDocumentKey, toView, validateFind, validateIndexKeys } from "./readModelQuery.ts";
import { uniqueInIdOrder } from "./storedIdOrder.ts";

interface MemoryCollection {
  readonly documents: Map<string, StoredDocument>;
  readonly indexes: Array<ReadModelIndex>;
}

/** A deep copy as a BSON round trip gives it back: undefined becomes null, Dates stay Dates. */
const bsonCopy = (value: unknown): unknown => {
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(bsonCopy);
  if (Predicate.isDate(value)) return new Date(value.getTime());
  if (Predicate.isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, nested]) => [key, bsonCopy(nested)]));
  }
  return value;
};

/** The stored documents with these ids, in `_id` order, copied as they are taken. */
function* storedInIdOrder(
  documents: ReadonlyMap<string, StoredDocument> | undefined,
  ids: ReadonlyArray<string>,
): Generator<readonly [string, StoredDocument]> {
  for (const id of uniqueInIdOrder(ids)) {
    const stored = documents?.get(id);
    if (stored !== undefined) yield [id, bsonCopy(stored) as StoredDocument];
  }
}

/** The value an index holds for a document, or undefined when a sparse index skips it. */
const uniqueKeyOf = (document: StoredDocument, index: ReadModelIndex): string | undefined => {
  const paths = Object.keys(index.keys);
  const values = paths.map((path) =>
    path
      .split(".")
      .reduce<unknown>((value, segment) => (Predicate.isObject(value) ? value[segment] : undefined), document),
  );
  if (values.every((value) => value === undefined)) return undefined;
  return JSON.stringify(
    values.map((value) => (Predicate.isDate(value) ? { $date: value.getTime() } : (value ?? null))),
  );
};

const revision = ReadModelInternalKeys.revision;

/** A stored document's revision; 0 when it was written unconditionally. */
const revisionOf = (stored: StoredDocument): number => {
  const value = stored[revision];
  return typeof value === "number" ? value : 0;
};

const makeMemoryReadModelStore = Effect.sync(() => {
  const collections = new Map<string, MemoryCollection>();
  const checkpoints = new Map<string, ProjectionCheckpoint>();
  const collectionOf = (name: string): MemoryCollection => {
    const existing = collections.get(name);
    if (existing !== undefined) return existing;
    const created: MemoryCollection = { documents: new Map(), indexes: [] };
    collections.set(name, created);
    return created;
  };

  const violatedIndex = (collection: MemoryCollection, id: string, document: StoredDocument) =>
    collection.indexes.find((index) => {
      if (index.unique !== true) return false;
      const key = uniqueKeyOf(document, index);
      if (key === undefined) return false;
      for (const [otherId, other] of collection.documents) {
        if (otherId !== id && uniqueKeyOf(other, index) === key) return true;
      }
      return false;
    });

  const writeMany = Effect.fn("ReadModelStore.writeMany")(function* (
    name: string,
    writes: ReadonlyArray<DocumentWrite>,
  ) {
    const collection = collectionOf(name);
    const rejected: Array<string> = [];
    for (const { id, doc, expectedRevision, create } of writes) {
      if (doc === undefined) {
        collection.documents.delete(id);
        continue;
      }
      const badKey = invalidDocumentKey(doc);
      if (badKey !== undefined) return yield* Effect.die(new Error(`${name}/${id}: invalid document key ${badKey}`));
      const { [revision]: _ignored, ...fields } = bsonCopy(doc) as StoredDocument;
      const stored = collection.documents.get(id);
      const storedRevision = stored === undefined ? 0 : revisionOf(stored);
      if (create === true && stored !== undefined) {
        rejected.push(`${id} exists already`);
        continue;
      }
      if (expectedRevision !== undefined && storedRevision !== expectedRevision) {
        rejected.push(`${id} is at revision ${storedRevision}, not ${expectedRevision}`);
        continue;
      }
      const copy = expectedRevision === undefined ? fields : { ...fields, [revision]: expectedRevision + 1 };
      const index = violatedIndex(collection, id, copy);
      if (index === undefined) collection.documents.set(id, copy);
      else rejected.push(`${id} duplicates a value of unique index ${Object.keys(index.keys).join(",")}`);
    }
    if (rejected.length > 0)
      return yield* new ReadModelConstraintViolation({ collection: name, reason: rejected.join("; ") });
  });

  const find = Effect.fn("ReadModelStore.find")(function* (
    name: string,
    filter: Readonly<Record<string, unknown>>,
    options?: FindOptions,
  ) {
    const query = yield* validateFind(filter, options);
    const views: Array<ReadModelView> = [];
    for (const [id, stored] of collections.get(name)?.documents ?? []) {
      const view = toView(id, stored);
      if (view !== undefined && matchesFilter(view, query.fields)) views.push(bsonCopy(view) as ReadModelView);
    }
    views.sort(compareDocuments(query.sort));
    return views.slice(query.skip, query.limit === undefined ? undefined : query.skip + query.limit);
  });

  return ReadModelStore.of({
    loadMany: (name, ids) =>
      Effect.sync(() => {
        const documents = collections.get(name)?.documents;
        const found = new Map<string, StoredDocument>();
        for (const id of ids) {
          const stored = documents?.get(id);
          if (stored !== undefined) found.set(id, bsonCopy(stored) as StoredDocument);
        }
        return found;
      }),
    streamMany: (name, ids) =>
      Stream.suspend(() => Stream.fromIterable(storedInIdOrder(collections.get(name)?.documents, ids))),
    writeMany,
    drop: (name) => Effect.sync(() => void collections.delete(name)),
    replaceCollection: (target, from) =>
      Effect.sync(() => {
        const moved = collections.get(from);
        collections.delete(from);
        if (moved === undefined) collections.delete(target);
        else collections.set(target, moved);
      }),
    ensureIndexes: (name, indexes) =>
      Effect.forEach(indexes, (index) => validateIndexKeys(index.keys), { discard: true }).pipe(
        Effect.andThen(
          Effect.sync(() => {
            const collection = collectionOf(name);
            for (const index of indexes) {
              const sameKeys = (other: ReadModelIndex) => JSON.stringify(other.keys) === JSON.stringify(index.keys);
              if (!collection.indexes.some(sameKeys)) collection.indexes.push(index);
            }
          }),
        ),
      ),
    find,
    get: (name, id) =>
      Effect.sync(() => {
        const stored = collections.get(name)?.documents.get(id);
        const view = stored === undefined ? undefined : toView(id, stored);
        return Option.fromNullishOr(view === undefined ? undefined : (bsonCopy(view) as ReadModelView));
      }),
    getCheckpoint: (name) => Effect.sync(() => Option.fromNullishOr(checkpoints.get(name))),
    setCheckpoint: (checkpoint) => Effect.sync(() => void checkpoints.set(checkpoint.name, { ...checkpoint })),
  });
});

/**
 * A fresh, empty in-memory read-model store each time the layer is built.
 *
 * @example
 * const program = Effect.gen(function* () {
 *   const store = yield* ReadModelStore;
 *   yield* store.writeMany("rm_devices", [{ id: "d1", doc: { name: "Pump" } }]);
 * }).pipe(Effect.provide(layerMemory));
 */
export const layerMemory: Layer.Layer<ReadModelStore> = Layer.effect(ReadModelStore, makeMemoryReadModelStore);
