import { assert, describe, it } from "@effect/vitest";
import { Effect } from "effect";
import { batchedGet } from "./batchedGets.ts";
import { ReadModelStore } from "./ReadModelStore.ts";
import { layerMemory } from "./ReadModelStoreMemory.ts";

describe("batchedGet", () => {
  it.effect("given lookups side by side, then one loadMany answers them all, found or not", () =>
    Effect.gen(function* () {
      const memory = yield* ReadModelStore;
      yield* memory.writeMany("rm_things", [
        { id: "a", doc: { tags: ["x"] } },
        { id: "b", doc: { tags: ["y"] } },
      ]);
      const rounds: Array<ReadonlyArray<string>> = [];
      const store = ReadModelStore.of({
        ...memory,
        loadMany: (collection, ids) =>
          Effect.suspend(() => {
            rounds.push(ids);
            return memory.loadMany(collection, ids);
          }),
      });
      const found = yield* Effect.all(
        ["a", "b", "missing", "a"].map((id) => batchedGet(store, "rm_things", id)),
        { concurrency: "unbounded" },
      );
      assert.deepStrictEqual(
        found.map((document) => document?.tags),
        [["x"], ["y"], undefined, ["x"]],
      );
      assert.deepStrictEqual(rounds, [["a", "b", "missing"]]);
      // A later lookup sees a write made before it was asked for.
      yield* memory.writeMany("rm_things", [{ id: "missing", doc: { tags: ["z"] } }]);
      assert.deepStrictEqual((yield* batchedGet(store, "rm_things", "missing"))?.tags, ["z"]);
    }).pipe(Effect.provide(layerMemory)),
  );
});
