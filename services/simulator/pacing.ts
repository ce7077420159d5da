/**
 * Holding a target rate: a token bucket over an injectable clock. Tokens are readings,
 * so a batch of 100 costs 100 tokens and the bucket holds readings/s whatever the batch.
 */
import { setTimeout as sleepFor } from "node:timers/promises";

/** Time as the pacer sees it: the system's, or a simulated one in tests. */
export interface Clock {
  /** Milliseconds on a monotonic scale (only differences matter). */
  readonly now: () => number;
  /** Resolves after `ms`, or early (without error) when the signal aborts. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The real clock: monotonic `performance.now()` and timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: async (ms, signal) => {
    if (ms <= 0 || signal?.aborted) return;
    await sleepFor(ms, undefined, signal === undefined ? {} : { signal }).catch(() => undefined);
  },
};

/** A clock that only moves when someone sleeps on it, or `advance` is called. */
export interface SimulatedClock extends Clock {
  readonly advance: (ms: number) => void;
}

/**
 * Virtual time for tests: `sleep` jumps the clock forward instead of waiting, so a
 * minute of pacing runs in microseconds and the result does not depend on machine speed.
 *
 * @example
 * const clock = createSimulatedClock();
 * await clock.sleep(1500); // returns at once
 * clock.now(); // 1500
 */
export const createSimulatedClock = (startMs = 0): SimulatedClock => {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    sleep: async (ms) => {
      if (ms > 0) nowMs += ms;
    },
    advance: (ms) => {
      nowMs += Math.max(0, ms);
    },
  };
};

export interface TokenBucketOptions {
  /** Tokens (readings) added per second. */
  readonly ratePerSecond: number;
  /** Most tokens saved up while the sender is idle: bounds the burst after a stall. */
  readonly capacity: number;
  /** Tokens at the start (default: full). One batch's worth avoids an opening burst. */
  readonly initialTokens?: number;
  readonly clock: Clock;
}

export interface TokenBucket {
  /** Takes `count` tokens now (going into debt if need be) and says how long to wait, in ms. */
  readonly reserve: (count: number) => number;
  /** Takes `count` tokens and waits until they are covered; returns early when aborted. */
  readonly take: (count: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * A token bucket that lets a taker go into debt: a batch larger than the capacity
 * still goes out, and the wait it owes keeps the long-run rate exact.
 *
 * @example
 * const bucket = createTokenBucket({ ratePerSecond: 1000, capacity: 100, clock: systemClock });
 * for (const batch of batches) { await bucket.take(batch.length); send(batch); }
 */
export const createTokenBucket = (options: TokenBucketOptions): TokenBucket => {
  const { ratePerSecond, capacity, clock } = options;
  if (!(ratePerSecond > 0 && Number.isFinite(ratePerSecond))) throw new RangeError("ratePerSecond must be > 0");
  if (!(capacity > 0)) throw new RangeError("capacity must be > 0");
  let tokens = Math.min(capacity, options.initialTokens ?? capacity);
  let updatedAt = clock.now();

  const reserve = (count: number): number => {
    const now = clock.now();
    tokens = Math.min(capacity, tokens + ((now - updatedAt) * ratePerSecond) / 1000);
    updatedAt = now;
    tokens -= count;
    return tokens >= 0 ? 0 : (-tokens * 1000) / ratePerSecond;
  };

  return {
    reserve,
    take: (count, signal) => clock.sleep(reserve(count), signal),
  };
};

/**
 * The default bucket capacity: a tenth of a second of traffic, and at least one batch
 * so the first request leaves at once.
 *
 * @example
 * defaultBurstCapacity(1000, 100); // 100
 */
export const defaultBurstCapacity = (ratePerSecond: number, batchSize: number): number =>
  Math.max(batchSize, Math.ceil(ratePerSecond / 10));
