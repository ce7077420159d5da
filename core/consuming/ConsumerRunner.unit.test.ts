import { assert, describe, it } from "@effect/vitest";
import { Deferred, Effect, Layer } from "effect";
import { eventuallyEffect } from "../../test/harness/eventuallyEffect.ts";
import { layerMemory as busMemory } from "../bus/EventBusMemory.ts";
import { defaultPartitions, partitionForKey } from "../bus/memoryBroker.ts";
import type { EventEnvelope } from "../events/EventEnvelope.ts";
import { EventRegistry } from "../events/EventRegistry.ts";
import { runConsumerGroup } from "./ConsumerRunner.ts";
import { makeRecordingRunHandler, Poked, pokedEnvelope, publishEvents } from "./consumerRunnerFixtures.ts";
import { consumerRunnerSuite } from "./consumerRunnerSuite.ts";
import { DeadLetters } from "./DeadLetters.ts";
import { ProcessedEvents } from "./ProcessedEvents.ts";
import { processedEventsContract } from "./processedEventsContract.ts";

const memoryLayer = () =>
  Layer.mergeAll(busMemory, EventRegistry.layer("test", [Poked]), ProcessedEvents.layerMemory, DeadLetters.layerMemory);

consumerRunnerSuite("memory", memoryLayer);

describe("ConsumerRunner (memory): keys within a batch", () => {
  it.live(
    "given one key's handler blocked, when its batch holds other keys, then they go on and each key keeps its order",
    () =>
      Effect.gen(function* () {
        const fastDone = yield* Deferred.make<void>();
        // A second key in the slow key's partition, so both arrive in one batch.
        const fast =
          Array.from({ length: 64 }, (_, i) => `fast-${i}`).find(
            (key) => partitionForKey(key, defaultPartitions) === partitionForKey("slow", defaultPartitions),
          ) ?? "slow";
        const handled: Array<string> = [];
        const handle = (event: EventEnvelope) =>
          Effect.flatMap(Poked.decode(event), (typed) =>
            Effect.gen(function* () {
              // The slow key waits for the other key's last event, or gives up after 2 s.
              if (event.streamId === "slow") yield* Deferred.await(fastDone).pipe(Effect.timeoutOption("2 seconds"));
              handled.push(`${event.streamId === "slow" ? "slow" : "fast"}:${typed.payload.n}`);
              if (typed.payload.n === 4) yield* Deferred.succeed(fastDone, undefined);
            }),
          );
        yield* runConsumerGroup(
          { pluginId: "pokes", groupId: "g-keys", handlers: [{ definition: Poked, handle }], concurrency: 1 },
          { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
        );
        yield* publishEvents([
          pokedEnvelope(1, false, "slow"),
          pokedEnvelope(2, false, fast),
          pokedEnvelope(3, false, "slow"),
          pokedEnvelope(4, false, fast),
        ]);
        yield* eventuallyEffect(Effect.sync(() => (handled.length === 4 ? true : undefined)));
        assert.deepStrictEqual(handled, ["fast:2", "fast:4", "slow:1", "slow:3"]);
      }).pipe(Effect.scoped, Effect.provide(memoryLayer())),
  );

  it.live(
    "given a run handler and two keys interleaved in one batch, then each key's events come in one call, in order",
    () =>
      Effect.gen(function* () {
        const { state, handler } = makeRecordingRunHandler();
        const other =
          Array.from({ length: 64 }, (_, i) => `other-${i}`).find(
            (key) => partitionForKey(key, defaultPartitions) === partitionForKey("device-1", defaultPartitions),
          ) ?? "device-1";
        yield* runConsumerGroup(
          { pluginId: "pokes", groupId: "g-runs", handlers: [handler] },
          { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
        );
        yield* publishEvents([1, 2, 3, 4, 5, 6].map((n) => pokedEnvelope(n, false, n % 2 === 0 ? other : "device-1")));
        yield* eventuallyEffect(Effect.sync(() => (state.sideEffects.length === 6 ? true : undefined)));
        assert.sameDeepMembers(state.calls, [
          [1, 3, 5],
          [2, 4, 6],
        ]);
      }).pipe(Effect.scoped, Effect.provide(memoryLayer())),
  );
});

processedEventsContract("memory", () => ProcessedEvents.layerMemory);
