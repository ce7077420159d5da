/**
 * Decides, per simulated request, which fault to inject: latency, a failure status drawn from a
 * seeded sequence, or an outage (status, hang, reset). Pure bookkeeping: routes.ts applies it.
 */
import {
  type ControlSettings,
  type ControlSettingsPatch,
  defaultControlSettings,
  parseControlSettingsPatch,
} from "./controlSettings.ts";

/** What to do instead of answering normally. */
export type InjectedFailure =
  | { readonly kind: "status"; readonly statusCode: number }
  | { readonly kind: "hang" }
  | { readonly kind: "reset" };

/** The fault plan for one request: wait `latencyMs`, then fail (when `failure` is set) or answer. */
export interface FaultDecision {
  readonly latencyMs: number;
  readonly failure: InjectedFailure | undefined;
}

/**
 * A deterministic pseudo-random sequence in [0, 1) (mulberry32): the same seed gives the same
 * draws on every machine and run.
 *
 * @example
 * const next = seededRandom(42);
 * next(); // 0.6011037519201636, every time
 */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/**
 * Which of the next `count` simulated requests fail when `errorRate` is set with `seed` (the
 * sequence restarts whenever `errorRate` or `seed` is set). Lets a test know the outcome in advance.
 *
 * @example
 * failurePattern(7, 0.5, 4) // [true, true, false, false]: the first two requests answer 503
 */
export const failurePattern = (seed: number, errorRate: number, count: number): ReadonlyArray<boolean> => {
  const next = seededRandom(seed);
  return Array.from({ length: count }, () => next() < errorRate);
};

/** The run-time fault switches and the seeded error sequence behind them. */
export interface FaultInjector {
  readonly settings: () => ControlSettings;
  /** Applies a validated patch; throws InvalidControlSettings for a bad one. */
  readonly update: (patch: unknown) => ControlSettings;
  /** Back to the defaults, with the seed given at start. */
  readonly reset: () => ControlSettings;
  /** Plans the faults for the next simulated request (advances the error sequence when errorRate > 0). */
  readonly decide: () => FaultDecision;
}

/**
 * Holds the settings in force and the error sequence seeded from them.
 *
 * @example
 * const faults = createFaultInjector(1);
 * faults.update({ errorRate: 0.2 });
 * faults.decide(); // { latencyMs: 0, failure: undefined } or { ..., failure: { kind: "status", statusCode: 503 } }
 */
export const createFaultInjector = (initialSeed: number): FaultInjector => {
  let current = defaultControlSettings(initialSeed);
  let nextDraw = seededRandom(initialSeed);

  const update = (input: unknown): ControlSettings => {
    const patch: ControlSettingsPatch = parseControlSettingsPatch(input);
    current = { ...current, ...patch };
    if (patch.errorRate !== undefined || patch.seed !== undefined) nextDraw = seededRandom(current.seed);
    return current;
  };

  const reset = (): ControlSettings => {
    current = defaultControlSettings(initialSeed);
    nextDraw = seededRandom(initialSeed);
    return current;
  };

  const decide = (): FaultDecision => {
    const { latencyMs, errorRate, outage, outageMode, statusCode } = current;
    // Drawn even during an outage so the sequence depends only on the number of requests.
    const drawnFailure = errorRate > 0 && nextDraw() < errorRate;
    if (outage) {
      return { latencyMs, failure: outageMode === "status" ? { kind: "status", statusCode } : { kind: outageMode } };
    }
    return { latencyMs, failure: drawnFailure ? { kind: "status", statusCode } : undefined };
  };

  return { settings: () => current, update, reset, decide };
};

/**
 * Resolves after `ms`, or as soon as `signal` aborts (never rejects): the client went away or the
 * simulator is closing, so nobody waits for the answer any more.
 *
 * @example
 * await waitFor(250, request.signal);
 */
export const waitFor = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });

/**
 * Resolves only when `signal` aborts: how "hang" never answers without leaking a pending promise.
 *
 * @example
 * await untilAborted(AbortSignal.any([request.signal, shutdown.signal]));
 */
export const untilAborted = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
