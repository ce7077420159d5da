/**
 * Everything between a planned fetch and the source, the same for every kind, per
 * process: the cache with coalescing first (a hit costs nothing), then the source's
 * circuit breaker (open: refuse without trying), its rate limit (no token: refuse), then
 * attempts with a timeout each, retried with exponential backoff and jitter while the
 * failure is retryable and tokens last. The outcome of the whole call (after retries)
 * is what the breaker counts. Nothing here fails: the result says why there is no data.
 */
import { Cause, Clock, Effect, Exit, Random, Result } from "effect";
import { recordCircuitState, recordExternalSourceCall } from "../../core/index.ts";
import { type CircuitBreaker, makeCircuitBreaker } from "./circuitBreaker.ts";
import { type CacheOutcome, makeCoalescingCache } from "./coalescingCache.ts";
import { SourceFetchFailed, SourceUnavailable } from "./Errors.ts";
import type { SourcePlan } from "./SourceKind.ts";
import type { SourceSettings } from "./sourceSettings.ts";
import type { CircuitState } from "./TelemetryEnriched.ts";
import { makeTokenBucket, type TokenBucket } from "./tokenBucket.ts";

/** A source as the guards need it; a new `version` starts a fresh breaker, bucket and cache. */
export interface GuardedSource {
  readonly tenantId: string;
  readonly sourceId: string;
  readonly version: number;
  readonly settings: Pick<SourceSettings, "timeoutMs" | "cacheTtlMs" | "retries" | "rateLimit" | "circuitBreaker">;
}

export type GuardedFetch =
  | {
      readonly _tag: "Fetched";
      readonly document: unknown;
      /** Clock time of the fetch (ms). */
      readonly fetchedAt: number;
      readonly cache: CacheOutcome;
      readonly circuit: CircuitState;
    }
  | { readonly _tag: "Unavailable"; readonly reason: string; readonly circuit: CircuitState };

export interface SourceGuardsOptions {
  /** Delay before the first retry; doubles each time (default 100 ms). */
  readonly retryBaseMs?: number | undefined;
  /** No retry waits longer (default 5 s). */
  readonly retryMaxMs?: number | undefined;
  readonly maxCacheEntries?: number | undefined;
}

/**
 * The wait before retry number `retry` (0-based): exponential, capped, with "equal
 * jitter" (half fixed, half random) so that many readings failing together do not retry
 * together.
 *
 * @example
 * backoffDelayMs(0, 100, 5_000, 0.5) // 75
 * backoffDelayMs(3, 100, 5_000, 1) // 800
 */
export const backoffDelayMs = (retry: number, baseMs: number, maxMs: number, random01: number): number => {
  const ceiling = Math.min(maxMs, baseMs * 2 ** retry);
  return Math.round(ceiling / 2 + (ceiling / 2) * random01);
};

interface SourceState {
  readonly version: number;
  readonly breaker: CircuitBreaker;
  readonly bucket: TokenBucket;
}

export interface SourceGuards {
  /**
   * @example
   * const result = yield* guards.fetch(source, plan); // Fetched | Unavailable, never fails
   */
  fetch<R>(source: GuardedSource, plan: SourcePlan<R>): Effect.Effect<GuardedFetch, never, R>;
  /** The circuit of a source in this process right now (closed when never used). */
  circuit(tenantId: string, sourceId: string): Effect.Effect<CircuitState>;
}

/**
 * One set of guards per process (the plugin makes it in `register`).
 *
 * @example
 * const guards = makeSourceGuards({ retryBaseMs: 100 });
 */
export const makeSourceGuards = (options: SourceGuardsOptions = {}): SourceGuards => {
  const retryBaseMs = options.retryBaseMs ?? 100;
  const retryMaxMs = options.retryMaxMs ?? 5_000;
  const cache = makeCoalescingCache<unknown, SourceUnavailable>({ maxEntries: options.maxCacheEntries });
  const states = new Map<string, SourceState>();

  const stateOf = (source: GuardedSource): SourceState => {
    const key = `${source.tenantId}|${source.sourceId}`;
    const existing = states.get(key);
    if (existing !== undefined && existing.version === source.version) return existing;
    const fresh = {
      version: source.version,
      breaker: makeCircuitBreaker(source.settings.circuitBreaker),
      bucket: makeTokenBucket(source.settings.rateLimit),
    };
    states.set(key, fresh);
    return fresh;
  };

  const attempt = <R>(source: GuardedSource, plan: SourcePlan<R>) =>
    plan.fetch.pipe(
      Effect.timeoutOrElse({
        duration: source.settings.timeoutMs,
        orElse: () =>
          Effect.fail(
            new SourceFetchFailed({ reason: `no answer within ${source.settings.timeoutMs} ms`, retryable: true }),
          ),
      }),
      // A bug in a kind must not dead-letter readings: it is one more way of being unavailable.
      Effect.catchDefect((defect) =>
        Effect.logError("external-source: a source kind failed unexpectedly", defect).pipe(
          Effect.andThen(
            Effect.fail(new SourceFetchFailed({ reason: "the source kind failed unexpectedly", retryable: false })),
          ),
        ),
      ),
    );

  const withRetries = <R>(source: GuardedSource, plan: SourcePlan<R>, bucket: TokenBucket) =>
    Effect.gen(function* () {
      for (let retry = 0; ; retry++) {
        const result = yield* Effect.result(attempt(source, plan));
        if (Result.isSuccess(result)) return result.success;
        const { reason, retryable } = result.failure;
        const attempts = retry === 0 ? "" : ` (${retry + 1} attempts)`;
        if (!retryable || retry >= source.settings.retries) {
          return yield* new SourceUnavailable({ reason: `${reason}${attempts}` });
        }
        yield* Effect.sleep(backoffDelayMs(retry, retryBaseMs, retryMaxMs, yield* Random.next));
        if (!bucket.take(yield* Clock.currentTimeMillis)) {
          return yield* new SourceUnavailable({ reason: `${reason}; not retried: rate limit reached` });
        }
      }
    });

  const load = <R>(source: GuardedSource, plan: SourcePlan<R>, state: SourceState) =>
    Effect.gen(function* () {
      const startedAt = yield* Clock.currentTimeMillis;
      const before = state.breaker.state(startedAt);
      const admission = state.breaker.tryAcquire(startedAt);
      const metricSource = `${source.tenantId}/${source.sourceId}`;
      if (admission._tag === "Refused") {
        const wait = Math.ceil(admission.retryInMs / 1000);
        yield* recordExternalSourceCall(metricSource, "circuit_open", 0);
        return yield* new SourceUnavailable({ reason: `circuit open (next probe in ${wait} s)` });
      }
      if (!state.bucket.take(startedAt)) {
        state.breaker.release(admission.probe);
        return yield* new SourceUnavailable({ reason: "rate limit reached" });
      }
      const exit = yield* Effect.exit(withRetries(source, plan, state.bucket));
      const endedAt = yield* Clock.currentTimeMillis;
      if (Exit.isSuccess(exit)) state.breaker.recordSuccess(endedAt, admission.probe);
      else if (Cause.hasInterruptsOnly(exit.cause)) state.breaker.release(admission.probe);
      else state.breaker.recordFailure(endedAt, admission.probe);
      const after = state.breaker.state(endedAt);
      yield* recordExternalSourceCall(metricSource, Exit.isSuccess(exit) ? "ok" : "error", endedAt - startedAt);
      yield* recordCircuitState(metricSource, after);
      if (after !== before) {
        const message = `external-source: circuit of ${source.tenantId}/${source.sourceId} is now ${after}`;
        yield* after === "open" ? Effect.logWarning(message) : Effect.logInfo(message);
      }
      return yield* exit;
    });

  return {
    fetch: (source, plan) =>
      Effect.gen(function* () {
        const state = stateOf(source);
        const key = `${source.tenantId}|${source.sourceId}|${source.version}|${plan.cacheKey}`;
        const result = yield* Effect.result(cache.get(key, source.settings.cacheTtlMs, load(source, plan, state)));
        const circuit = state.breaker.state(yield* Clock.currentTimeMillis);
        return Result.isSuccess(result)
          ? {
              _tag: "Fetched" as const,
              document: result.success.value,
              fetchedAt: result.success.loadedAt,
              cache: result.success.outcome,
              circuit,
            }
          : { _tag: "Unavailable" as const, reason: result.failure.reason, circuit };
      }),
    circuit: (tenantId, sourceId) =>
      Effect.map(
        Clock.currentTimeMillis,
        (nowMs) => states.get(`${tenantId}|${sourceId}`)?.breaker.state(nowMs) ?? "closed",
      ),
  };
};
