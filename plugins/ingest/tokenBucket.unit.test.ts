import { describe, expect, it } from "@effect/vitest";
import { makeTokenBucketLimiter } from "./tokenBucket.ts";

const costs = (entries: Record<string, number>) => new Map(Object.entries(entries));
const t0 = 1_000_000;

describe("token bucket rate limiter (time given by the caller)", () => {
  it("lets a quiet device spend its burst, then refuses with the wait until enough tokens", () => {
    const limiter = makeTokenBucketLimiter({ ratePerSecond: 200, burst: 2_000 });
    expect(limiter.take(costs({ a: 2_000 }), t0)).toEqual({ _tag: "Taken" });
    expect(limiter.take(costs({ a: 100 }), t0)).toEqual({ _tag: "Limited", key: "a", retryAfterSeconds: 0.5 });
    expect(limiter.take(costs({ a: 100 }), t0 + 499)._tag).toBe("Limited");
    expect(limiter.take(costs({ a: 100 }), t0 + 500)).toEqual({ _tag: "Taken" });
    expect(limiter.available("a", t0 + 500)).toBe(0);
  });

  it("refills at the rate, never above the burst", () => {
    const limiter = makeTokenBucketLimiter({ ratePerSecond: 200, burst: 2_000 });
    limiter.take(costs({ a: 2_000 }), t0);
    expect(limiter.available("a", t0 + 1_000)).toBe(200);
    expect(limiter.available("a", t0 + 60_000)).toBe(2_000);
  });

  it("keeps devices apart", () => {
    const limiter = makeTokenBucketLimiter({ ratePerSecond: 1, burst: 5 });
    expect(limiter.take(costs({ a: 5 }), t0)._tag).toBe("Taken");
    expect(limiter.take(costs({ b: 5 }), t0)._tag).toBe("Taken");
    expect(limiter.take(costs({ a: 1 }), t0)._tag).toBe("Limited");
  });

  it("takes from every device of a request or from none, waiting for the slowest", () => {
    const limiter = makeTokenBucketLimiter({ ratePerSecond: 1, burst: 5 });
    limiter.take(costs({ b: 4 }), t0);
    limiter.take(costs({ c: 5 }), t0);
    expect(limiter.take(costs({ a: 3, b: 3, c: 2 }), t0)).toEqual({ _tag: "Limited", key: "b", retryAfterSeconds: 2 });
    expect(limiter.available("a", t0)).toBe(5);
  });

  it("says when a request can never pass: more than the burst for one device", () => {
    const limiter = makeTokenBucketLimiter({ ratePerSecond: 1, burst: 5 });
    expect(limiter.take(costs({ a: 6 }), t0)).toEqual({ _tag: "ExceedsBurst", key: "a", cost: 6 });
  });

  it("ignores a clock stepping back", () => {
    const limiter = makeTokenBucketLimiter({ ratePerSecond: 1, burst: 5 });
    limiter.take(costs({ a: 5 }), t0);
    expect(limiter.available("a", t0 - 10_000)).toBe(0);
    expect(limiter.available("a", t0 + 1_000)).toBe(1);
  });

  it("forgets idle (full) buckets when it tracks too many keys", () => {
    const limiter = makeTokenBucketLimiter({ ratePerSecond: 1, burst: 5, maxTrackedKeys: 2 });
    limiter.take(costs({ a: 5 }), t0);
    limiter.take(costs({ b: 1 }), t0);
    limiter.take(costs({ c: 1 }), t0 + 10_000);
    // a and b refilled by then: forgotten, which is the same as full.
    expect(limiter.available("a", t0 + 10_000)).toBe(5);
    expect(limiter.available("c", t0 + 10_000)).toBe(4);
  });
});
