/**
 * Which events a consumer group has already handled: the runner skips them on
 * redelivery, so a handler's side effect happens once per group.
 */
import { Context, Effect, Layer } from "effect";
import type { EventStoreUnavailable } from "../store/Errors.ts";

export class ProcessedEvents extends Context.Service<
  ProcessedEvents,
  {
    /** The ids among `eventIds` that `group` has not handled yet. */
    unprocessed(
      group: string,
      eventIds: ReadonlyArray<string>,
    ): Effect.Effect<ReadonlySet<string>, EventStoreUnavailable>;
    markProcessed(group: string, eventIds: ReadonlyArray<string>): Effect.Effect<void, EventStoreUnavailable>;
    /**
     * Forgets marks made before `before` (every group's); returns how many. Redeliveries
     * come minutes after the first delivery, so marks only need to outlive that.
     */
    prune(before: Date): Effect.Effect<number, EventStoreUnavailable>;
  }
>()("anansky/ProcessedEvents") {
  /** For unit tests: forgets everything when the layer closes. */
  static readonly layerMemory = Layer.sync(ProcessedEvents, () => {
    const markedAt = new Map<string, number>();
    return ProcessedEvents.of({
      unprocessed: (group, ids) => Effect.sync(() => new Set(ids.filter((id) => !markedAt.has(`${group}|${id}`)))),
      markProcessed: (group, ids) =>
        Effect.sync(() => {
          const now = Date.now();
          for (const id of ids) if (!markedAt.has(`${group}|${id}`)) markedAt.set(`${group}|${id}`, now);
        }),
      prune: (before) =>
        Effect.sync(() => {
          let pruned = 0;
          for (const [key, at] of markedAt) {
            if (at < before.getTime()) {
              markedAt.delete(key);
              pruned++;
            }
          }
          return pruned;
        }),
    });
  });
}
