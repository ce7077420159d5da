/**
 * Per-device rate limiting: a token bucket per key, in memory (each API process limits
 * on its own, so N processes allow up to N times the rate). A request takes one token per
 * reading from each device it names, all or nothing, so a refused request costs nothing.
 * Time comes from the caller, which keeps the limiter pure enough to test without sleeping.
 */

export interface TokenBucketOptions {
  /** Tokens added per second. */
  readonly ratePerSecond: number;
  /** Bucket size: what a quiet device may spend at once. */
  readonly burst: number;
  /** Above this many tracked keys, full (idle) buckets are forgotten. */
  readonly maxTrackedKeys?: number | undefined;
}

export type TakeOutcome =
  | { readonly _tag: "Taken" }
  /** Not enough tokens yet: try again in `retryAfterSeconds`. */
  | { readonly _tag: "Limited"; readonly key: string; readonly retryAfterSeconds: number }
  /** More tokens than a full bucket holds: this request can never pass. */
  | { readonly _tag: "ExceedsBurst"; readonly key: string; readonly cost: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export interface TokenBucketLimiter {
  /** Takes `cost` tokens from each key's bucket at `nowMs`, or none at all. */
  take(costs: ReadonlyMap<string, number>, nowMs: number): TakeOutcome;
  /** Tokens a key has at `nowMs` (for tests and metrics). */
  available(key: string, nowMs: number): number;
}

/**
 * @example
 * const limiter = makeTokenBucketLimiter({ ratePerSecond: 200, burst: 2_000 });
 * limiter.take(new Map([["acme|pump-1", 10]]), Date.now()); // { _tag: "Taken" }
 */
export const makeTokenBucketLimiter = (options: TokenBucketOptions): TokenBucketLimiter => {
  const buckets = new Map<string, Bucket>();
  const maxTrackedKeys = options.maxTrackedKeys ?? 100_000;
  const perMs = options.ratePerSecond / 1000;

  const refilled = (key: string, nowMs: number): Bucket => {
    const bucket = buckets.get(key);
    if (bucket === undefined) return { tokens: options.burst, updatedAt: nowMs };
    // A clock that steps back adds nothing (and takes nothing away).
    const elapsed = Math.max(0, nowMs - bucket.updatedAt);
    return {
      tokens: Math.min(options.burst, bucket.tokens + elapsed * perMs),
      updatedAt: Math.max(nowMs, bucket.updatedAt),
    };
  };

  const forgetIdle = (nowMs: number) => {
    if (buckets.size <= maxTrackedKeys) return;
    for (const key of [...buckets.keys()]) {
      if (refilled(key, nowMs).tokens >= options.burst) buckets.delete(key);
    }
  };

  return {
    take: (costs, nowMs) => {
      const planned = new Map<string, Bucket>();
      let slowest: Extract<TakeOutcome, { _tag: "Limited" }> | undefined;
      for (const [key, cost] of costs) {
        if (cost > options.burst) return { _tag: "ExceedsBurst", key, cost };
        const bucket = refilled(key, nowMs);
        const retryAfterSeconds = (cost - bucket.tokens) / options.ratePerSecond;
        // The wait that lets every key pass, so a retry after it is not refused again.
        if (retryAfterSeconds > 0 && (slowest === undefined || retryAfterSeconds > slowest.retryAfterSeconds)) {
          slowest = { _tag: "Limited", key, retryAfterSeconds };
        }
        planned.set(key, { tokens: bucket.tokens - cost, updatedAt: bucket.updatedAt });
      }
      if (slowest !== undefined) return slowest;
      for (const [key, bucket] of planned) buckets.set(key, bucket);
      forgetIdle(nowMs);
      return { _tag: "Taken" };
    },
    available: (key, nowMs) => refilled(key, nowMs).tokens,
  };
};
