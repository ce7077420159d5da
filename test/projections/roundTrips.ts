/**
 * Memory layers that count the round trips projections make, can hide stored events
 * (a version the store never kept: an append undone after a crash) and can let another
 * writer in just before a write (a race between two folds of the same document).
 */
import { Effect, Layer, Stream } from "effect";
import { ReadModelStore } from "../../core/projections/ReadModelStore.ts";
import { layerMemory as readModelsInMemory } from "../../core/projections/ReadModelStoreMemory.ts";
import { EventStore } from "../../core/store/EventStore.ts";
import { layerMemory as eventsInMemory } from "../../core/store/EventStoreMemory.ts";

export class RoundTrips {
  loadMany = 0;
  writeMany = 0;
  readStream = 0;
  /** Event ids the event store pretends not to have. */
  readonly hidden = new Set<string>();
  /** Run one each, in order, just before the next writeMany calls (another writer getting in first). */
  readonly beforeWrites: Array<Effect.Effect<void>> = [];
  /** Run one each, in order, just after the next writeMany calls (another writer landing last). */
  readonly afterWrites: Array<Effect.Effect<void>> = [];
}

const countedReadModels = (trips: RoundTrips) =>
  Layer.effect(
    ReadModelStore,
    Effect.map(ReadModelStore, (store) =>
      ReadModelStore.of({
        ...store,
        loadMany: (collection, ids) =>
          Effect.suspend(() => {
            trips.loadMany++;
            return store.loadMany(collection, ids);
          }),
        writeMany: (collection, writes) =>
          Effect.suspend(() => {
            trips.writeMany++;
            const before = trips.beforeWrites.shift() ?? Effect.void;
            const after = trips.afterWrites.shift() ?? Effect.void;
            return before.pipe(
              Effect.andThen(store.writeMany(collection, writes)),
              Effect.tap(() => after),
            );
          }),
      }),
    ),
  ).pipe(Layer.provide(readModelsInMemory));

const countedEvents = (trips: RoundTrips) =>
  Layer.effect(
    EventStore,
    Effect.map(EventStore, (store) =>
      EventStore.of({
        ...store,
        readStream: (streamId, from) => {
          trips.readStream++;
          return store.readStream(streamId, from).pipe(Stream.filter((event) => !trips.hidden.has(event.id)));
        },
        readAll: (options) => store.readAll(options).pipe(Stream.filter((event) => !trips.hidden.has(event.id))),
      }),
    ),
  ).pipe(Layer.provideMerge(eventsInMemory));

/**
 * Provides counting memory stores (ReadModelStore and EventStore).
 *
 * @example
 * const trips = new RoundTrips();
 * program.pipe(withCountedStores(trips));
 */
export const withCountedStores = (trips: RoundTrips = new RoundTrips()) =>
  Effect.provide(Layer.mergeAll(countedReadModels(trips), countedEvents(trips)));
