import { assert, describe, it } from "@effect/vitest";
import { Deferred, Effect, Fiber } from "effect";
import { makeStreamLocks } from "./streamLocks.ts";

describe("stream locks", () => {
  it.effect("queues work on the same stream and lets other streams through", () =>
    Effect.gen(function* () {
      const locks = makeStreamLocks();
      const log: Array<string> = [];
      const gate = yield* Deferred.make<void>();
      const first = yield* Effect.forkChild(
        locks.withLocks(
          ["a"],
          Effect.andThen(
            Deferred.await(gate),
            Effect.sync(() => log.push("first on a")),
          ),
        ),
      );
      yield* Effect.yieldNow;
      const second = yield* Effect.forkChild(
        locks.withLocks(
          ["a"],
          Effect.sync(() => log.push("second on a")),
        ),
      );
      yield* locks.withLocks(
        ["b"],
        Effect.sync(() => log.push("b")),
      );
      yield* Effect.yieldNow;
      assert.deepStrictEqual(log, ["b"]);
      yield* Deferred.succeed(gate, undefined);
      yield* Fiber.join(first);
      yield* Fiber.join(second);
      assert.deepStrictEqual(log, ["b", "first on a", "second on a"]);
      assert.strictEqual(locks.size(), 0);
    }),
  );

  it.effect("takes many locks in sorted order, so crossing batches never deadlock", () =>
    Effect.gen(function* () {
      const locks = makeStreamLocks();
      const runs = Array.from({ length: 20 }, (_, i) =>
        locks.withLocks(i % 2 === 0 ? ["x", "y", "z"] : ["z", "y", "x", "x"], Effect.yieldNow),
      );
      yield* Effect.all(runs, { concurrency: "unbounded" }).pipe(Effect.timeout("2 seconds"));
      assert.strictEqual(locks.size(), 0);
    }),
  );

  it.effect("releases the lock when the work fails", () =>
    Effect.gen(function* () {
      const locks = makeStreamLocks();
      yield* Effect.flip(locks.withLocks(["a"], Effect.fail("boom")));
      assert.strictEqual(yield* locks.withLocks(["a"], Effect.succeed("free")), "free");
      assert.strictEqual(locks.size(), 0);
    }),
  );
});
