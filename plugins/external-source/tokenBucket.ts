/**
 * The per-source rate limit: a token bucket over time given by the caller. Each fetch
 * attempt (retries too) takes a token; cache hits and coalesced waits take none. An
 * empty bucket refuses at once rather than making a reading wait: the reading flows on
 * flagged unavailable, which is what a rate limit protecting someone else's API is for.
 */

export interface TokenBucket {
  /** Takes one token at `nowMs`; false when none is left. */
  take(nowMs: number): boolean;
  /** Tokens available at `nowMs`. */
  available(nowMs: number): number;
}

/**
 * @example
 * const bucket = makeTokenBucket({ perSecond: 10, burst: 20 });
 * if (!bucket.take(Date.now())) return "rate limit reached";
 */
export const makeTokenBucket = (options: { readonly perSecond: number; readonly burst: number }): TokenBucket => {
  let tokens = options.burst;
  let updatedAt: number | undefined;
  const refill = (nowMs: number) => {
    // A clock stepping back adds nothing.
    const elapsed = updatedAt === undefined ? 0 : Math.max(0, nowMs - updatedAt);
    tokens = Math.min(options.burst, tokens + (elapsed * options.perSecond) / 1000);
    updatedAt = Math.max(nowMs, updatedAt ?? nowMs);
  };
  return {
    take: (nowMs) => {
      refill(nowMs);
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    available: (nowMs) => {
      refill(nowMs);
      return tokens;
    },
  };
};
