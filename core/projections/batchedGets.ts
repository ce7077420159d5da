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

// One batcher per (store, collection): each test's store gets its own.
const loaders = new WeakMap<Store, Map<string, BatchedLoads<StoredDocument, ReadModelStoreUnavailable>>>();

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
  const byCollection = loaders.get(store) ?? new Map<string, BatchedLoads<StoredDocument, ReadModelStoreUnavailable>>();
  loaders.set(store, byCollection);
  const existing = byCollection.get(collection);
  const loads = existing ?? makeBatchedLoads((ids) => store.loadMany(collection, ids));
  if (existing === undefined) byCollection.set(collection, loads);
  return loads.load(id);
};
