import { assert, describe, expect, it } from "@effect/vitest";
import { Effect, Fiber, Ref } from "effect";
import { TestClock } from "effect/testing";
import { SourceFetchFailed } from "./Errors.ts";
import { backoffDelayMs, type GuardedSource, makeSourceGuards } from "./sourceGuards.ts";
import { sourceDefaults } from "./sourceSettings.ts";

const source = (settings: Partial<GuardedSource["settings"]> = {}): GuardedSource => ({
  tenantId: "acme",
  sourceId: "weather",
  version: 1,
  settings: { ...sourceDefaults, ...settings },
});

/** A fetch that counts attempts and answers with the next outcome of `script` (the last one repeats). */
const scripted = (attempts: Ref.Ref<number>, script: ReadonlyArray<"ok" | "retryable" | "fatal" | "hang">) =>
  Effect.gen(function* () {
    const n = yield* Ref.getAndUpdate(attempts, (k) => k + 1);
    const step = script[Math.min(n, script.length - 1)];
    if (step === "hang") return yield* Effect.never;
    if (step === "ok") return { temperature_c: 12.5 };
    return yield* new SourceFetchFailed({ reason: `attempt ${n + 1} failed`, retryable: step === "retryable" });
  });

/** Runs a guarded fetch on a fiber and moves the test clock far enough for every wait in it. */
const run = <A, R>(fetch: Effect.Effect<A, never, R>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(fetch);
    yield* TestClock.adjust("1 minute");
    return yield* Fiber.join(fiber);
  });

describe("source guards: retries, timeouts, breaker, rate limit, coalescing (TestClock)", () => {
  it("given backoff settings, when delays are computed, then they double, are capped and carry jitter", () => {
    expect([0, 1, 2, 3].map((retry) => backoffDelayMs(retry, 100, 500, 0))).toEqual([50, 100, 200, 250]);
    expect([0, 1, 2, 3].map((retry) => backoffDelayMs(retry, 100, 500, 1))).toEqual([100, 200, 400, 500]);
  });

  it.effect("given two retryable failures, when fetched with 2 retries, then the third attempt answers", () =>
    Effect.gen(function* () {
      const guards = makeSourceGuards();
      const attempts = yield* Ref.make(0);
      const result = yield* run(
        guards.fetch(source({ retries: 2 }), {
          cacheKey: "k",
          fetch: scripted(attempts, ["retryable", "retryable", "ok"]),
        }),
      );
      assert.strictEqual(yield* Ref.get(attempts), 3);
      expect(result).toMatchObject({
        _tag: "Fetched",
        cache: "miss",
        circuit: "closed",
        document: { temperature_c: 12.5 },
      });
    }),
  );

  it.effect("given a failure that is not retryable, when fetched, then it is tried once", () =>
    Effect.gen(function* () {
      const attempts = yield* Ref.make(0);
      const result = yield* run(
        makeSourceGuards().fetch(source({ retries: 3 }), { cacheKey: "k", fetch: scripted(attempts, ["fatal"]) }),
      );
      assert.strictEqual(yield* Ref.get(attempts), 1);
      expect(result).toEqual({ _tag: "Unavailable", reason: "attempt 1 failed", circuit: "closed" });
    }),
  );

  it.effect("given a source that hangs, when each attempt times out, then it is unavailable after the retries", () =>
    Effect.gen(function* () {
      const attempts = yield* Ref.make(0);
      const result = yield* run(
        makeSourceGuards().fetch(source({ timeoutMs: 100, retries: 1 }), {
          cacheKey: "k",
          fetch: scripted(attempts, ["hang"]),
        }),
      );
      assert.strictEqual(yield* Ref.get(attempts), 2);
      expect(result).toMatchObject({ _tag: "Unavailable", reason: "no answer within 100 ms (2 attempts)" });
    }),
  );

  it.effect(
    "given repeated failures, when the threshold is reached, then the circuit opens; a probe later closes it",
    () =>
      Effect.gen(function* () {
        const guards = makeSourceGuards();
        const settings = source({ retries: 0, circuitBreaker: { failureThreshold: 2, openMs: 10_000 } });
        const attempts = yield* Ref.make(0);
        const failing = { cacheKey: "k", fetch: scripted(attempts, ["fatal", "fatal", "ok"]) };
        yield* guards.fetch(settings, failing);
        const second = yield* guards.fetch(settings, failing);
        expect(second).toMatchObject({ _tag: "Unavailable", circuit: "open" });
        // While open: refused without trying.
        yield* TestClock.adjust("9 seconds");
        const refused = yield* guards.fetch(settings, failing);
        expect(refused).toMatchObject({
          _tag: "Unavailable",
          reason: "circuit open (next probe in 1 s)",
          circuit: "open",
        });
        assert.strictEqual(yield* Ref.get(attempts), 2);
        yield* TestClock.adjust("1 second");
        assert.strictEqual(yield* guards.circuit("acme", "weather"), "half-open");
        const probe = yield* guards.fetch(settings, failing);
        expect(probe).toMatchObject({ _tag: "Fetched", circuit: "closed" });
        assert.strictEqual(yield* Ref.get(attempts), 3);
      }),
  );

  it.effect(
    "given a rate limit, when distinct fetches exceed it, then the excess is refused and cache hits are free",
    () =>
      Effect.gen(function* () {
        const guards = makeSourceGuards();
        const settings = source({ rateLimit: { perSecond: 1, burst: 2 } });
        const attempts = yield* Ref.make(0);
        const plan = (key: string) => ({ cacheKey: key, fetch: scripted(attempts, ["ok"]) });
        expect(yield* guards.fetch(settings, plan("a"))).toMatchObject({ _tag: "Fetched" });
        expect(yield* guards.fetch(settings, plan("b"))).toMatchObject({ _tag: "Fetched" });
        expect(yield* guards.fetch(settings, plan("c"))).toMatchObject({
          _tag: "Unavailable",
          reason: "rate limit reached",
        });
        expect(yield* guards.fetch(settings, plan("a"))).toMatchObject({ _tag: "Fetched", cache: "hit" });
        yield* TestClock.adjust("1 second");
        expect(yield* guards.fetch(settings, plan("c"))).toMatchObject({ _tag: "Fetched", cache: "miss" });
        assert.strictEqual(yield* Ref.get(attempts), 3);
      }),
  );

  it.effect("given 100 concurrent readings for one location, when fetched, then one fetch serves them", () =>
    Effect.gen(function* () {
      const guards = makeSourceGuards();
      const attempts = yield* Ref.make(0);
      const slow = {
        cacheKey: "52.52|13.40",
        fetch: Effect.sleep(50).pipe(Effect.andThen(scripted(attempts, ["ok"]))),
      };
      const results = yield* run(
        Effect.forEach(Array.from({ length: 100 }), () => guards.fetch(source(), slow), { concurrency: "unbounded" }),
      );
      assert.strictEqual(yield* Ref.get(attempts), 1);
      assert.isTrue(results.every((result) => result._tag === "Fetched"));
    }),
  );

  it.effect("given a kind that throws, when fetched, then the source is unavailable and nothing fails", () =>
    Effect.gen(function* () {
      const result = yield* run(
        makeSourceGuards().fetch(source(), { cacheKey: "k", fetch: Effect.die(new Error("bug in a kind")) }),
      );
      expect(result).toMatchObject({ _tag: "Unavailable", reason: "the source kind failed unexpectedly" });
    }),
  );

  it.effect("given a source redefined (new version), when fetched, then its breaker and cache start afresh", () =>
    Effect.gen(function* () {
      const guards = makeSourceGuards();
      const attempts = yield* Ref.make(0);
      const settings = source({ retries: 0, circuitBreaker: { failureThreshold: 1, openMs: 600_000 } });
      yield* guards.fetch(settings, { cacheKey: "k", fetch: scripted(attempts, ["fatal"]) });
      assert.strictEqual(yield* guards.circuit("acme", "weather"), "open");
      const fixed = yield* guards.fetch(
        { ...settings, version: 2 },
        { cacheKey: "k", fetch: Effect.succeed({ ok: 1 }) },
      );
      expect(fixed).toMatchObject({ _tag: "Fetched", circuit: "closed" });
    }),
  );
});
