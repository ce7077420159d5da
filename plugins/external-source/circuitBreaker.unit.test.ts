import { describe, expect, it } from "@effect/vitest";
import { makeCircuitBreaker } from "./circuitBreaker.ts";

const t0 = 1_000_000;
const settings = { failureThreshold: 3, openMs: 10_000 };

/** Fails `n` admitted calls at `nowMs`. */
const failTimes = (breaker: ReturnType<typeof makeCircuitBreaker>, n: number, nowMs: number) => {
  for (let i = 0; i < n; i++) {
    const admission = breaker.tryAcquire(nowMs);
    if (admission._tag === "Allowed") breaker.recordFailure(nowMs, admission.probe);
  }
};

describe("circuit breaker (time given by the caller)", () => {
  it("given a closed circuit, when fewer failures than the threshold happen, then it stays closed", () => {
    const breaker = makeCircuitBreaker(settings);
    failTimes(breaker, 2, t0);
    expect(breaker.state(t0)).toBe("closed");
    expect(breaker.tryAcquire(t0)).toEqual({ _tag: "Allowed", probe: false });
  });

  it("given failures in a row, when the threshold is reached, then it opens and refuses without trying", () => {
    const breaker = makeCircuitBreaker(settings);
    failTimes(breaker, 3, t0);
    expect(breaker.state(t0)).toBe("open");
    expect(breaker.tryAcquire(t0 + 4_000)).toEqual({ _tag: "Refused", retryInMs: 6_000 });
  });

  it("given a success between failures, when counted, then only consecutive failures open it", () => {
    const breaker = makeCircuitBreaker(settings);
    failTimes(breaker, 2, t0);
    breaker.recordSuccess(t0, false);
    failTimes(breaker, 2, t0);
    expect(breaker.state(t0)).toBe("closed");
    expect(breaker.failures).toBe(2);
  });

  it("given an open circuit, when openMs has passed, then one probe may try while others are refused", () => {
    const breaker = makeCircuitBreaker(settings);
    failTimes(breaker, 3, t0);
    const later = t0 + 10_000;
    expect(breaker.state(later)).toBe("half-open");
    expect(breaker.tryAcquire(later)).toEqual({ _tag: "Allowed", probe: true });
    expect(breaker.tryAcquire(later)).toEqual({ _tag: "Refused", retryInMs: 0 });
  });

  it("given a half-open circuit, when the probe succeeds, then it closes", () => {
    const breaker = makeCircuitBreaker(settings);
    failTimes(breaker, 3, t0);
    breaker.tryAcquire(t0 + 10_000);
    breaker.recordSuccess(t0 + 10_100, true);
    expect(breaker.state(t0 + 10_100)).toBe("closed");
    expect(breaker.failures).toBe(0);
  });

  it("given a half-open circuit, when the probe fails, then it opens for another openMs", () => {
    const breaker = makeCircuitBreaker(settings);
    failTimes(breaker, 3, t0);
    breaker.tryAcquire(t0 + 10_000);
    breaker.recordFailure(t0 + 10_500, true);
    expect(breaker.state(t0 + 20_499)).toBe("open");
    expect(breaker.state(t0 + 20_500)).toBe("half-open");
  });

  it("given a probe that was never made, when released, then another probe may go", () => {
    const breaker = makeCircuitBreaker(settings);
    failTimes(breaker, 3, t0);
    breaker.tryAcquire(t0 + 10_000);
    breaker.release(true);
    expect(breaker.tryAcquire(t0 + 10_000)).toEqual({ _tag: "Allowed", probe: true });
  });

  it("given an open circuit, when a call admitted earlier fails late, then nothing more changes", () => {
    const breaker = makeCircuitBreaker(settings);
    const early = breaker.tryAcquire(t0);
    failTimes(breaker, 3, t0);
    if (early._tag === "Allowed") breaker.recordFailure(t0 + 1, early.probe);
    expect(breaker.state(t0 + 10_000)).toBe("half-open");
  });
});
