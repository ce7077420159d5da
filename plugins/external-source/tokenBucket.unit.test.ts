import { describe, expect, it } from "@effect/vitest";
import { makeTokenBucket } from "./tokenBucket.ts";

const t0 = 5_000_000;

describe("per-source rate limit (token bucket, time given by the caller)", () => {
  it("given a quiet source, when it is called, then the burst passes and the next call is refused", () => {
    const bucket = makeTokenBucket({ perSecond: 2, burst: 3 });
    expect([bucket.take(t0), bucket.take(t0), bucket.take(t0)]).toEqual([true, true, true]);
    expect(bucket.take(t0)).toBe(false);
  });

  it("given an empty bucket, when time passes, then tokens come back at the rate, never above the burst", () => {
    const bucket = makeTokenBucket({ perSecond: 2, burst: 3 });
    for (let i = 0; i < 3; i++) bucket.take(t0);
    expect(bucket.take(t0 + 499)).toBe(false);
    expect(bucket.take(t0 + 500)).toBe(true);
    expect(bucket.available(t0 + 60_000)).toBe(3);
  });

  it("given a clock stepping back, when asked, then no tokens appear", () => {
    const bucket = makeTokenBucket({ perSecond: 1, burst: 1 });
    bucket.take(t0);
    expect(bucket.take(t0 - 10_000)).toBe(false);
    expect(bucket.take(t0 + 1_000)).toBe(true);
  });
});
