import { assert, describe, it } from "@effect/vitest";
import { Effect, Fiber, Ref } from "effect";
import { TestClock } from "effect/testing";
import { makeCoalescingCache } from "./coalescingCache.ts";

/** A load that counts its runs and takes `ms` of (test) time. */
const countingLoad = (runs: Ref.Ref<number>, value: string, ms = 100) =>
  Ref.update(runs, (n) => n + 1).pipe(Effect.andThen(Effect.sleep(ms)), Effect.as(value));

describe("cache with TTL and request coalescing (TestClock)", () => {
  it.effect("given 100 concurrent callers of one key, when loaded, then one load serves them all", () =>
    Effect.gen(function* () {
      const cache = makeCoalescingCache<string, never>();
      const runs = yield* Ref.make(0);
      const fiber = yield* Effect.forkChild(
        Effect.forEach(
          Array.from({ length: 100 }),
          () => cache.get("52.52|13.40", 60_000, countingLoad(runs, "sunny")),
          {
            concurrency: "unbounded",
          },
        ),
      );
      yield* TestClock.adjust("100 millis");
      const results = yield* Fiber.join(fiber);
      assert.strictEqual(yield* Ref.get(runs), 1);
      assert.isTrue(results.every((result) => result.value === "sunny"));
      assert.strictEqual(results.filter((result) => result.outcome === "miss").length, 1);
      assert.strictEqual(results.filter((result) => result.outcome === "coalesced").length, 99);
    }),
  );

  it.effect("given a cached value, when asked within the TTL, then it is a hit; after it, a new load", () =>
    Effect.gen(function* () {
      const cache = makeCoalescingCache<string, never>();
      const runs = yield* Ref.make(0);
      const first = yield* Effect.forkChild(cache.get("k", 1_000, countingLoad(runs, "v1", 0)));
      assert.strictEqual((yield* Fiber.join(first)).outcome, "miss");
      yield* TestClock.adjust("999 millis");
      const hit = yield* cache.get("k", 1_000, countingLoad(runs, "v2", 0));
      assert.deepStrictEqual([hit.value, hit.outcome], ["v1", "hit"]);
      yield* TestClock.adjust("1 millis");
      const reload = yield* cache.get("k", 1_000, countingLoad(runs, "v2", 0));
      assert.deepStrictEqual([reload.value, reload.outcome], ["v2", "miss"]);
      assert.strictEqual(yield* Ref.get(runs), 2);
    }),
  );

  it.effect("given a failing load, when callers share it, then all get the failure and nothing is cached", () =>
    Effect.gen(function* () {
      const cache = makeCoalescingCache<string, string>();
      const runs = yield* Ref.make(0);
      const failing = Ref.update(runs, (n) => n + 1).pipe(
        Effect.andThen(Effect.sleep(10)),
        Effect.andThen(Effect.fail("down")),
      );
      const fiber = yield* Effect.forkChild(
        Effect.forEach([1, 2, 3], () => Effect.flip(cache.get("k", 60_000, failing)), { concurrency: "unbounded" }),
      );
      yield* TestClock.adjust("10 millis");
      assert.deepStrictEqual(yield* Fiber.join(fiber), ["down", "down", "down"]);
      assert.strictEqual(yield* Ref.get(runs), 1);
      assert.strictEqual(cache.size, 0);
      assert.strictEqual(cache.loading, 0);
    }),
  );

  it.effect("given TTL 0, when callers overlap, then they still coalesce but nothing is kept", () =>
    Effect.gen(function* () {
      const cache = makeCoalescingCache<string, never>();
      const runs = yield* Ref.make(0);
      const both = yield* Effect.forkChild(
        Effect.all([cache.get("k", 0, countingLoad(runs, "v")), cache.get("k", 0, countingLoad(runs, "v"))], {
          concurrency: "unbounded",
        }),
      );
      yield* TestClock.adjust("100 millis");
      yield* Fiber.join(both);
      assert.strictEqual(yield* Ref.get(runs), 1);
      assert.strictEqual(cache.size, 0);
    }),
  );

  it.effect("given the first caller interrupted, when the load finishes, then the others still get it", () =>
    Effect.gen(function* () {
      const cache = makeCoalescingCache<string, never>();
      const runs = yield* Ref.make(0);
      const leader = yield* Effect.forkChild(cache.get("k", 60_000, countingLoad(runs, "v")));
      yield* TestClock.adjust("10 millis");
      const follower = yield* Effect.forkChild(cache.get("k", 60_000, countingLoad(runs, "other")));
      yield* TestClock.adjust("10 millis");
      yield* Fiber.interrupt(leader);
      yield* TestClock.adjust("100 millis");
      const result = yield* Fiber.join(follower);
      assert.deepStrictEqual([result.value, result.outcome], ["v", "coalesced"]);
      assert.strictEqual(yield* Ref.get(runs), 1);
    }),
  );

  it.effect("given more keys than allowed, when cached, then the oldest are evicted", () =>
    Effect.gen(function* () {
      const cache = makeCoalescingCache<string, never>({ maxEntries: 2 });
      for (const key of ["a", "b", "c"]) yield* cache.get(key, 60_000, Effect.succeed(key));
      assert.strictEqual(cache.size, 2);
      assert.strictEqual((yield* cache.get("a", 60_000, Effect.succeed("again"))).outcome, "miss");
    }),
  );
});
