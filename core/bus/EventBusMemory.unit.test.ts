import { assert, describe, it } from "@effect/vitest";
import { Effect, Exit, Scope } from "effect";
import { eventually, uniqueName } from "../../test/harness/testEnvironment.ts";
import { EventBus, type IncomingMessage } from "./EventBus.ts";
import { layerMemory } from "./EventBusMemory.ts";
import { eventBusContract } from "./eventBusContract.ts";
import { partitionForKey } from "./memoryBroker.ts";

eventBusContract("memory", layerMemory);

describe("EventBusMemory", () => {
  it("given a key, then it always maps to the same partition, and keys spread over partitions", () => {
    const keys = Array.from({ length: 40 }, (_, i) => `device-${i}`);
    for (const key of keys) assert.strictEqual(partitionForKey(key, 4), partitionForKey(key, 4));
    assert.strictEqual(new Set(keys.map((key) => partitionForKey(key, 4))).size, 4);
  });

  it.live(
    "given an active member, when a second member of the group subscribes, then it waits and takes over from the commits",
    () =>
      Effect.gen(function* () {
        const bus = yield* EventBus;
        const topic = uniqueName("memory-standby");
        const groupId = uniqueName("standby");
        yield* bus.ensureTopics([topic], 1);
        const active: Array<IncomingMessage> = [];
        const standby: Array<IncomingMessage> = [];
        const activeScope = yield* Scope.make();
        yield* bus
          .subscribe({ groupId, topics: [topic] }, (batch) => Effect.sync(() => active.push(...batch)))
          .pipe(Scope.provide(activeScope));
        yield* bus.subscribe({ groupId, topics: [topic] }, (batch) => Effect.sync(() => standby.push(...batch)));

        yield* bus.publish([{ topic, key: "k", value: "first", headers: {} }]);
        yield* Effect.promise(() => eventually(() => (active.length === 1 ? true : undefined)));
        yield* Scope.close(activeScope, Exit.void);
        yield* bus.publish([{ topic, key: "k", value: "second", headers: {} }]);
        yield* Effect.promise(() => eventually(() => (standby.length === 1 ? true : undefined)));

        assert.deepStrictEqual(
          active.map((m) => m.value),
          ["first"],
        );
        assert.deepStrictEqual(
          standby.map((m) => m.value),
          ["second"],
        );
      }).pipe(Effect.provide(layerMemory)),
  );
});
