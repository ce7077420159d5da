/**
 * Rebuilds a projection from the event store: status "rebuilding", a replay of every stored
 * event in pages into a fresh shadow collection (`<collection>__rebuild`, its indexes made
 * first), folded in batches (one loadMany + one writeMany each), the shadow put in the
 * read model's place, then status "live" at the projection's version. Readers keep the
 * old read model until the swap (an API key projection keeps authenticating while it
 * rebuilds), and a rebuild that crashes leaves it as it was. The replay reads all event types, not
 * only the projection's: seeing every version of a stream is what lets replayOrder.ts
 * restore stream order without asking the store about gaps (see there).
 */
import { Clock, Effect, Stream } from "effect";
import type { EventEnvelope } from "../events/EventEnvelope.ts";
import { eventIdFloor } from "../events/EventId.ts";
import type { EventStoreUnavailable } from "../store/Errors.ts";
import { EventStore } from "../store/EventStore.ts";
import { type ApplyBatchOptions, applyProjectionBatch } from "./applyProjectionBatch.ts";
import type { AnyProjection } from "./defineProjection.ts";
import type { InvalidReadModelQuery, ReadModelConstraintViolation, ReadModelStoreUnavailable } from "./Errors.ts";
import { type ProjectionCheckpoint, ReadModelStore } from "./ReadModelStore.ts";
import { makeReplayOrder } from "./replayOrder.ts";

export interface RebuildProgress {
  readonly projection: string;
  /** Events read from the store so far (every type). */
  readonly eventsRead: number;
  /** Events folded into documents so far. */
  readonly eventsApplied: number;
  readonly elapsedMs: number;
  /** Events read per second. */
  readonly eventsPerSecond: number;
  readonly done: boolean;
}

export interface RebuildOptions {
  /** Called about every `progressEvery` events read and once at the end. */
  readonly onProgress?: ((progress: RebuildProgress) => Effect.Effect<void>) | undefined;
  /** Events per fold (one loadMany + one writeMany each); default 500. */
  readonly batchSize?: number | undefined;
  /** Events per store read; default 10,000 (FerretDB scans and sorts the whole collection once per page). */
  readonly readPageSize?: number | undefined;
  /** Default 10,000. */
  readonly progressEvery?: number | undefined;
}

export type RebuildError =
  | ReadModelStoreUnavailable
  | ReadModelConstraintViolation
  | InvalidReadModelQuery
  | EventStoreUnavailable;

/** Appenders' clocks (UUIDv7 ids carry them) may run this far behind ours. */
const clockSkewMarginMs = 5_000;

/** Where a rebuild writes until it is done. */
export const shadowCollection = (collection: string): string => `${collection}__rebuild`;

const nowIso = Effect.map(Clock.currentTimeMillis, (millis) => new Date(millis).toISOString());

/**
 * Replays the event store into a fresh read model and marks it live.
 *
 * @example
 * const progress = yield* rebuildProjection(devicesProjection, { onProgress: (p) => Effect.log(p.eventsPerSecond) });
 */
export const rebuildProjection = Effect.fn("ProjectionRunner.rebuild")(function* (
  projection: AnyProjection,
  options: RebuildOptions = {},
): Effect.fn.Return<RebuildProgress, RebuildError, ReadModelStore | EventStore> {
  const store = yield* ReadModelStore;
  const eventStore = yield* EventStore;
  const batchSize = Math.max(1, options.batchSize ?? 500);
  const progressEvery = Math.max(1, options.progressEvery ?? 10_000);
  const startedAt = yield* Clock.currentTimeMillis;
  const checkpoint = (status: ProjectionCheckpoint["status"], lastEventId: string | null, eventsApplied: number) =>
    Effect.flatMap(nowIso, (updatedAt) =>
      store.setCheckpoint({
        name: projection.name,
        version: projection.version,
        status,
        lastEventId,
        eventsApplied,
        updatedAt,
      }),
    );

  yield* checkpoint("rebuilding", null, 0);
  const shadow: AnyProjection = { ...projection, collection: shadowCollection(projection.collection) };
  yield* store.drop(shadow.collection);
  yield* store.ensureIndexes(shadow.collection, shadow.indexes);

  let eventsRead = 0;
  let eventsApplied = 0;
  let lastEventId: string | null = null;
  let reportedAt = 0;
  const report = (done: boolean) =>
    Effect.gen(function* () {
      const elapsedMs = Math.max(0, (yield* Clock.currentTimeMillis) - startedAt);
      const eventsPerSecond = elapsedMs === 0 ? eventsRead : Math.round((eventsRead * 1000) / elapsedMs);
      const progress: RebuildProgress = {
        projection: projection.name,
        eventsRead,
        eventsApplied,
        elapsedMs,
        eventsPerSecond,
        done,
      };
      if (options.onProgress !== undefined) yield* options.onProgress(progress);
      return progress;
    });
  const fold = (events: ReadonlyArray<EventEnvelope>, applyOptions?: ApplyBatchOptions) =>
    events.length === 0
      ? Effect.void
      : Effect.map(applyProjectionBatch(shadow, events, applyOptions), (outcome) => {
          eventsApplied += outcome.eventsApplied;
        });

  const order = makeReplayOrder(Math.max(1_000, batchSize * 2));
  const readPageSize = Math.max(batchSize, options.readPageSize ?? 10_000);
  yield* eventStore.readAll({ pageSize: readPageSize }).pipe(
    Stream.grouped(batchSize),
    Stream.runForEach((batch) =>
      Effect.gen(function* () {
        const { ready, overflow } = order.admit(batch);
        yield* fold(ready, { knownThrough: order.knownThrough });
        yield* fold(overflow);
        eventsRead += batch.length;
        lastEventId = batch[batch.length - 1]?.id ?? lastEventId;
        if (eventsRead - reportedAt >= progressEvery) {
          reportedAt = eventsRead;
          yield* report(false);
          // Lets an SRE see how far a long rebuild got.
          yield* checkpoint("rebuilding", lastEventId, eventsApplied);
        }
      }),
    ),
  );
  // Held back to the end: versions the store never had, or read before their predecessors
  // were appended. Folded like live events, with store reads for what is missing.
  const leftovers = order.drain();
  for (let start = 0; start < leftovers.length; start += batchSize) {
    yield* fold(leftovers.slice(start, start + batchSize));
  }
  yield* store.replaceCollection(projection.collection, shadow.collection);
  // What others wrote into the old read model while this ran (commands folding their own
  // events, a consumer of the same group elsewhere) went with it: fold again what was
  // recorded since the rebuild began (apply is idempotent and order-free).
  yield* eventStore.readAll({ after: eventIdFloor(startedAt - clockSkewMarginMs), pageSize: readPageSize }).pipe(
    Stream.grouped(batchSize),
    Stream.runForEach((batch) => Effect.asVoid(applyProjectionBatch(projection, batch))),
  );
  yield* checkpoint("live", lastEventId, eventsApplied);
  return yield* report(true);
});
