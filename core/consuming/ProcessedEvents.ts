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
  }
>()("anansky/ProcessedEvents") {
  /** For unit tests: forgets everything when the layer closes. */
  static readonly layerMemory = Layer.sync(ProcessedEvents, () => {
    const seen = new Set<string>();
    return ProcessedEvents.of({
      unprocessed: (group, ids) => Effect.sync(() => new Set(ids.filter((id) => !seen.has(`${group}|${id}`)))),
      markProcessed: (group, ids) =>
        Effect.sync(() => {
          for (const id of ids) seen.add(`${group}|${id}`);
        }),
    });
  });
}
