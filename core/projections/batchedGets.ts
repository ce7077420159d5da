/**
 * Point reads of a read model made side by side (a consumer batch's devices looking up
 * their documents) answered together: one `loadMany` per round instead of one `get` per
 * document. On FerretDB 1.x every read scans its collection, so a round of sixteen
 * lookups costs one scan instead of sixteen.
 */
import type { Effect } from "effect";
import { type BatchedLoads, makeBatchedLoads } from "../store/batching.ts";
import type { ReadModelStoreUnavailable } from "./Errors.ts";
import type { ReadModelStore, StoredDocument } from "./ReadModelStore.ts";

type Store = typeof ReadModelStore.Service;

/**
 * What `make` builds for a store, built once per store: batchers must be shared by every
 * caller of one store, and each test's store gets its own.
 *
 * @example
 * const commitsOf = perStore((store) => makeBatchedWrites((writes) => store.writeMany("rm_x", writes), isConflict));
 */
export const perStore = <T>(make: (store: Store) => T): ((store: Store) => T) => {
  const made = new WeakMap<Store, T>();
  return (store) => {
    const existing = made.get(store);
    if (existing !== undefined) return existing;
    const created = make(store);
    made.set(store, created);
    return created;
  };
};

const loadersOf = perStore(() => new Map<string, BatchedLoads<StoredDocument, ReadModelStoreUnavailable>>());

/**
 * The document stored under `id` in `collection` (undefined when there is none), read
 * together with the other lookups of the same round.
 *
 * @example
 * const device = yield* batchedGet(store, "rm_devices", `${tenantId}|${deviceId}`);
 */
export const batchedGet = (
  store: Store,
  collection: string,
  id: string,
): Effect.Effect<StoredDocument | undefined, ReadModelStoreUnavailable> => {
  const byCollection = loadersOf(store);
  const loads = byCollection.get(collection) ?? makeBatchedLoads((ids) => store.loadMany(collection, ids));
  byCollection.set(collection, loads);
  return loads.load(id);
};
