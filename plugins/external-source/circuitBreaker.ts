/**
 * A circuit breaker per source, as a state machine over time given by the caller (so
 * tests step a clock instead of sleeping). Closed: calls pass; `failureThreshold`
 * consecutive failures open it. Open: calls are refused without trying, for `openMs`.
 * Then half-open: one probe at a time may try; its success closes the circuit, its
 * failure opens it again for another `openMs`.
 */
import type { CircuitState } from "./TelemetryEnriched.ts";

export interface CircuitBreakerOptions {
  readonly failureThreshold: number;
  readonly openMs: number;
  /** Probes allowed at once while half-open (default 1). */
  readonly halfOpenProbes?: number | undefined;
}

export type Admission =
  | { readonly _tag: "Allowed"; readonly probe: boolean }
  | { readonly _tag: "Refused"; readonly retryInMs: number };

export interface CircuitBreaker {
  state(nowMs: number): CircuitState;
  /** Whether a call may go ahead now; report its outcome with the `probe` flag it got. */
  tryAcquire(nowMs: number): Admission;
  recordSuccess(nowMs: number, probe: boolean): void;
  recordFailure(nowMs: number, probe: boolean): void;
  /** An admitted call that was never made (e.g. no rate-limit token). */
  release(probe: boolean): void;
  /** Consecutive failures while closed. */
  readonly failures: number;
}

/**
 * @example
 * const breaker = makeCircuitBreaker({ failureThreshold: 5, openMs: 30_000 });
 * const admission = breaker.tryAcquire(Date.now());
 * if (admission._tag === "Allowed") {
 *   // ... call, then:
 *   breaker.recordFailure(Date.now(), admission.probe);
 * }
 */
export const makeCircuitBreaker = (options: CircuitBreakerOptions): CircuitBreaker => {
  const maxProbes = options.halfOpenProbes ?? 1;
  let failures = 0;
  let openUntil: number | undefined;
  let probesInFlight = 0;

  const open = (nowMs: number) => {
    openUntil = nowMs + options.openMs;
    probesInFlight = 0;
  };
  const state = (nowMs: number): CircuitState =>
    openUntil === undefined ? "closed" : nowMs < openUntil ? "open" : "half-open";

  return {
    state,
    tryAcquire: (nowMs) => {
      const current = state(nowMs);
      if (current === "closed") return { _tag: "Allowed", probe: false };
      if (current === "open") return { _tag: "Refused", retryInMs: (openUntil ?? nowMs) - nowMs };
      if (probesInFlight >= maxProbes) return { _tag: "Refused", retryInMs: 0 };
      probesInFlight += 1;
      return { _tag: "Allowed", probe: true };
    },
    recordSuccess: (nowMs, probe) => {
      if (probe || state(nowMs) === "closed") {
        failures = 0;
        openUntil = undefined;
        probesInFlight = 0;
      }
    },
    recordFailure: (nowMs, probe) => {
      if (probe) return open(nowMs);
      // A late failure of a call admitted before the circuit opened changes nothing more.
      if (state(nowMs) !== "closed") return;
      failures += 1;
      if (failures >= options.failureThreshold) {
        failures = 0;
        open(nowMs);
      }
    },
    release: (probe) => {
      if (probe && probesInFlight > 0) probesInFlight -= 1;
    },
    get failures() {
      return failures;
    },
  };
};
