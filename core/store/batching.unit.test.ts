// Batching: side-by-side loads share a query (never an older one), writes share a call.
import { assert, describe, it } from "@effect/vitest";
import { Deferred, Effect, Fiber } from "effect";
import { makeBatchedLoads, makeBatchedWrites } from "./batching.ts";

describe("makeBatchedLoads", () => {
  it.effect(
    "given keys asked for side by side, when loaded, then one query serves them and each gets its own value",
    () =>
      Effect.gen(function* () {
        const queries: Array<ReadonlyArray<string>> = [];
        const loads = makeBatchedLoads((keys) =>
          Effect.sync(() => {
            queries.push(keys);
            return new Map(keys.filter((key) => key !== "missing").map((key) => [key, key.toUpperCase()]));
          }),
        );
        const values = yield* Effect.all(
          ["a", "b", "a", "missing"].map((key) => loads.load(key)),
          { concurrency: "unbounded" },
        );
        assert.deepStrictEqual(values, ["A", "B", "A", undefined]);
        assert.deepStrictEqual(queries, [["a", "b", "missing"]]);
      }),
  );

  it.effect(
    "given a query in flight, when another key is asked for, then it waits for the next query, not that one",
    () =>
      Effect.gen(function* () {
        const release = yield* Deferred.make<void>();
        const queries: Array<ReadonlyArray<string>> = [];
        let version = 1;
        const loads = makeBatchedLoads((keys) =>
          Effect.gen(function* () {
            queries.push(keys);
            const seen = version;
            if (queries.length === 1) yield* Deferred.await(release);
            return new Map(keys.map((key) => [key, `${key}@${seen}`]));
          }),
        );
        const first = yield* Effect.forkChild(loads.load("a"));
        while (queries.length === 0) yield* Effect.yieldNow;
        // Written after the first query began: a load asked for now must see it.
        version = 2;
        const second = yield* Effect.forkChild(loads.load("a"));
        yield* Deferred.succeed(release, undefined);
        assert.strictEqual(yield* Fiber.join(first), "a@1");
        assert.strictEqual(yield* Fiber.join(second), "a@2");
        assert.strictEqual(queries.length, 2);
      }),
  );

  it.effect("given a failing query, when keys wait on it, then each fails and the next load queries again", () =>
    Effect.gen(function* () {
      let calls = 0;
      const loads = makeBatchedLoads((keys) =>
        Effect.suspend(() => {
          calls++;
          return calls === 1 ? Effect.fail("store down") : Effect.succeed(new Map(keys.map((key) => [key, 1])));
        }),
      );
      const failed = yield* Effect.flip(loads.load("a"));
      assert.strictEqual(failed, "store down");
      assert.strictEqual(yield* loads.load("a"), 1);
    }),
  );

  it.effect(
    "given side-by-side writes, when the combined call conflicts, then each is made alone and only its own conflict fails it",
    () =>
      Effect.gen(function* () {
        const calls: Array<ReadonlyArray<string>> = [];
        const stored = new Set<string>(["taken"]);
        const writes = makeBatchedWrites(
          (ids: ReadonlyArray<string>) =>
            Effect.suspend(() => {
              calls.push(ids);
              const clash = ids.find((id) => stored.has(id));
              if (clash !== undefined) return Effect.fail({ conflict: true, id: clash });
              for (const id of ids) stored.add(id);
              return Effect.void;
            }),
          (error) => error.conflict,
        );
        const outcomes = yield* Effect.all(
          [["a"], ["taken"], ["b", "c"]].map((ids) => Effect.result(writes.write(ids))),
          { concurrency: "unbounded" },
        );
        assert.deepStrictEqual(
          outcomes.map((outcome) => outcome._tag),
          ["Success", "Failure", "Success"],
        );
        assert.deepStrictEqual(calls, [["a", "taken", "b", "c"], ["a"], ["taken"], ["b", "c"]]);
        assert.isTrue(stored.has("a") && stored.has("b") && stored.has("c"));
        // Alone, a conflict is just that submission's failure.
        assert.strictEqual((yield* Effect.result(writes.write(["taken"])))._tag, "Failure");
      }),
  );
});
