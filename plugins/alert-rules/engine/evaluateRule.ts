/**
 * The engine's entry point: one pure step of one (rule, device) state per input.
 *
 * Time is device time throughout. The state's clock is the newest reading's time, or the
 * last instant a tick evaluated. Between inputs, the rule can change only at known instants
 * (a `forSeconds` ending, a silence reaching its limit, a sample leaving a time window);
 * before each reading, and on each tick, the engine evaluates exactly at every such instant
 * up to the input's time. So transitions carry the instant they happened, whatever the
 * tick schedule, and a backtest (readings only) equals live evaluation (readings and ticks).
 *
 * Late and out-of-order readings: a reading older than the clock by at most
 * `lateToleranceMs` (default 60 s) is inserted in device-time order into the windows and
 * the rule is evaluated at the clock; an older one is ignored (counted in
 * `ignoredLateReadings`). The worker ticks with `now = wall clock - tolerance`, so a tick
 * never runs ahead of a reading still in flight.
 */
import { evaluateAt, type LifecycleStep, nextDeadline } from "./alertLifecycle.ts";
import type { AlertTransition } from "./alertTransition.ts";
import { type ConditionRegistry, defaultConditionRegistry } from "./conditionRegistry.ts";
import { makeConditionContext } from "./evaluationContext.ts";
import { type Reading, recordReading } from "./recordReading.ts";
import { emptyRuleDeviceState, type RuleDeviceState } from "./ruleDeviceState.ts";
import { planOf } from "./rulePlan.ts";
import type { Rule } from "./ruleSchema.ts";

export type { AlertTransition } from "./alertTransition.ts";
export type { Reading } from "./recordReading.ts";
export type { RuleDeviceState } from "./ruleDeviceState.ts";

/** The default tolerance for late readings: 60 s of device time. */
export const defaultLateToleranceMs = 60_000;

/** Guards against an extension whose next change creeps forward forever; built-ins stay far below. */
const maxInstantsPerInput = 100_000;

/** A reading to evaluate, or a tick: "device time has reached `now`" (device ms). */
export type EngineInput = ({ readonly kind: "reading" } & Reading) | { readonly kind: "tick"; readonly now: number };

/**
 * @example
 * evaluate(rule, state, input, registry, { lateToleranceMs: 30_000 })
 */
export interface EvaluateOptions {
  /** How much older than the clock a reading may be and still count (default 60,000 ms). */
  readonly lateToleranceMs?: number | undefined;
}

/** The next state of the (rule, device) and the transitions decided on the way, in device-time order. */
export type EvaluationResult = LifecycleStep;

/**
 * The state of a (rule, device) that has seen nothing yet. The rule is not needed today;
 * it is taken so states can depend on it later without changing callers.
 *
 * @example
 * let state = initialState(rule);
 */
export const initialState = (_rule: Rule): RuleDeviceState => emptyRuleDeviceState();

/** Evaluates at every instant in (clock, upTo] where the rule may change without data, in order. */
const advanceTo = (
  rule: Rule,
  state: RuleDeviceState,
  upTo: number,
  registry: ConditionRegistry,
  transitions: Array<AlertTransition>,
): RuleDeviceState => {
  let current = state;
  for (let instant = 0; instant < maxInstantsPerInput; instant++) {
    if (current.clock === undefined) return current;
    const due = nextDeadline(rule, current, makeConditionContext(current, current.clock, registry));
    if (due === undefined || due > upTo) return current;
    const atDue: RuleDeviceState = { ...current, clock: due };
    const step = evaluateAt(rule, atDue, makeConditionContext(atDue, due, registry), null);
    transitions.push(...step.transitions);
    current = step.state;
  }
  return current;
};

const evaluateReading = (
  rule: Rule,
  state: RuleDeviceState,
  reading: Reading,
  registry: ConditionRegistry,
  lateToleranceMs: number,
): EvaluationResult => {
  if (reading.eventId === state.lastEvaluatedEventId) return { state, transitions: [] };
  if (state.deviceId !== undefined && state.deviceId !== reading.deviceId) {
    throw new Error(`a state of device ${state.deviceId} was given a reading of device ${reading.deviceId}`);
  }
  if (state.clock !== undefined && reading.ts < state.clock - lateToleranceMs) {
    const ignored = { ...state, ignoredLateReadings: state.ignoredLateReadings + 1 };
    return { state: { ...ignored, lastEvaluatedEventId: reading.eventId }, transitions: [] };
  }
  const transitions: Array<AlertTransition> = [];
  const started: RuleDeviceState =
    state.clock === undefined
      ? { ...state, deviceId: reading.deviceId, observingSince: reading.ts, clock: reading.ts }
      : state;
  const clock = Math.max(started.clock ?? reading.ts, reading.ts);
  const advanced = { ...advanceTo(rule, started, reading.ts, registry, transitions), clock };
  const recorded = recordReading(planOf(rule, registry), advanced.tracked, reading, clock);
  const seen: RuleDeviceState = {
    ...advanced,
    tracked: recorded.tracked,
    lastSeenTs: Math.max(advanced.lastSeenTs ?? reading.ts, reading.ts),
    lastEvaluatedEventId: reading.eventId,
  };
  if (!recorded.touched) return { state: seen, transitions };
  const step = evaluateAt(rule, seen, makeConditionContext(seen, clock, registry), reading.eventId);
  return { state: step.state, transitions: [...transitions, ...step.transitions] };
};

/**
 * One step of one (rule, device): folds a reading in (or lets device time pass, for a
 * tick) and returns the next state with the alert transitions it decided. Pure: the same
 * rule, state and input always give the same result, and the input state is not changed.
 * Does not look at `rule.enabled`: the caller decides which rules run. A reading whose
 * `eventId` is the last one evaluated changes nothing (redelivery).
 *
 * @example
 * let state = initialState(rule);
 * ({ state } = evaluate(rule, state, { kind: "reading", eventId: "e1", deviceId: "pump-1", ts, values: { temp: 81 }, enrichment: {} }));
 * const { transitions } = evaluate(rule, state, { kind: "tick", now: Date.now() - 60_000 });
 */
export const evaluate = (
  rule: Rule,
  state: RuleDeviceState,
  input: EngineInput,
  registry: ConditionRegistry = defaultConditionRegistry,
  options: EvaluateOptions = {},
): EvaluationResult => {
  if (input.kind === "reading") {
    return evaluateReading(rule, state, input, registry, options.lateToleranceMs ?? defaultLateToleranceMs);
  }
  const transitions: Array<AlertTransition> = [];
  const advanced = advanceTo(rule, state, input.now, registry, transitions);
  return { state: advanced, transitions };
};

export { type BacktestAlert, type BacktestOptions, backtest, startBacktest } from "./backtest.ts";
