/**
 * Consumer lag as a metric: the EventBus is wrapped so every group this process
 * subscribes is remembered, and a background fiber asks the bus for each group's lag
 * per partition at an interval. Works with any EventBus implementation.
 */
import { Effect, Layer, Schedule } from "effect";
import { EventBus } from "../bus/EventBus.ts";
import { recordConsumerLag } from "./platformMetrics.ts";

export interface ConsumerLagOptions {
  /** How often lag is read (default 15 s). */
  readonly intervalMs?: number | undefined;
}

/**
 * Provides the EventBus it is given, remembering subscriptions, and polls their lag for
 * as long as the layer lives.
 *
 * @example
 * const bus = layerConsumerLagMetrics({ intervalMs: 10_000 }).pipe(Layer.provide(layerKafka(options)));
 */
export const layerConsumerLagMetrics = (options: ConsumerLagOptions = {}): Layer.Layer<EventBus, never, EventBus> =>
  Layer.effect(
    EventBus,
    Effect.gen(function* () {
      const bus = yield* EventBus;
      const groups = new Map<string, ReadonlyArray<string>>();
      const pollOnce = Effect.suspend(() =>
        Effect.forEach(
          [...groups],
          ([group, topics]) =>
            bus.lag(group, topics).pipe(
              Effect.flatMap((partitions) =>
                Effect.forEach(partitions, (p) => recordConsumerLag(group, p.topic, p.partition, p.lag), {
                  discard: true,
                }),
              ),
              // Lag is best effort: a broker hiccup must not end the poller.
              Effect.catch((error) => Effect.logDebug(`consumer lag of ${group} unavailable`, error.reason)),
            ),
          { discard: true },
        ),
      ).pipe(Effect.withTracerEnabled(false)); // a poll every few seconds is not worth a trace
      yield* Effect.forkScoped(pollOnce.pipe(Effect.repeat(Schedule.spaced(options.intervalMs ?? 15_000))));
      return EventBus.of({
        ...bus,
        subscribe: (subscribeOptions, handle) =>
          bus
            .subscribe(subscribeOptions, handle)
            .pipe(Effect.tap(() => Effect.sync(() => groups.set(subscribeOptions.groupId, subscribeOptions.topics)))),
      });
    }),
  );
