/**
 * Test support: rules built through the real schema, readings and ticks, and replays that
 * fold inputs through `evaluate` the way the worker does. Used by the engine's unit tests.
 */
import { Result } from "effect";
import type { AlertTransition } from "../alertTransition.ts";
import type { ConditionRegistry } from "../conditionRegistry.ts";
import { type EngineInput, type EvaluateOptions, evaluate, initialState } from "../evaluateRule.ts";
import type { RuleDeviceState } from "../ruleDeviceState.ts";
import type { ReadingValue, ValueRef } from "../ruleFields.ts";
import { decodeRule, type Rule } from "../ruleSchema.ts";

/** Seconds of device time as ms: scenarios read in seconds. */
export const sec = (seconds: number): number => seconds * 1000;

export const reading = (key: string): ValueRef => ({ source: "reading", key });
export const enrichment = (key: string): ValueRef => ({ source: "enrichment", key });

const baseRule = {
  ruleId: "rule-1",
  tenantId: "acme",
  name: "test rule",
  version: 1,
  enabled: true,
  scope: { allDevices: true },
  severity: "major",
};

/**
 * A rule decoded by the real schema (so every scenario also proves its rule is valid).
 *
 * @example
 * ruleWith({ condition: { type: "threshold", value: reading("temp"), op: ">", threshold: 30 } })
 */
export const ruleWith = (fields: Record<string, unknown>, registry?: ConditionRegistry): Rule => {
  const decoded = decodeRule(registry)({ ...baseRule, ...fields });
  if (Result.isFailure(decoded)) throw new Error(`invalid test rule: ${decoded.failure.message}`);
  return decoded.success;
};

export interface ReadingOptions {
  readonly enrichment?: Readonly<Record<string, ReadingValue>>;
  readonly deviceId?: string;
  readonly eventId?: string;
}

/** A reading input, as readings-only helpers (backtest) take it. */
export type ReadingInput = Extract<EngineInput, { readonly kind: "reading" }>;

/** A reading at device time `ts` (ms); its event id is derived from device and time unless given. */
export const readingAt = (
  ts: number,
  values: Readonly<Record<string, ReadingValue>>,
  options: ReadingOptions = {},
): ReadingInput => {
  const deviceId = options.deviceId ?? "pump-1";
  return {
    kind: "reading",
    eventId: options.eventId ?? `${deviceId}@${ts}`,
    deviceId,
    ts,
    values,
    enrichment: options.enrichment ?? {},
  };
};

export const tickAt = (now: number): EngineInput => ({ kind: "tick", now });

export interface Replay {
  readonly state: RuleDeviceState;
  readonly transitions: ReadonlyArray<AlertTransition>;
}

export interface ReplayOptions extends EvaluateOptions {
  readonly registry?: ConditionRegistry;
  readonly state?: RuleDeviceState;
}

/** Folds `inputs` through `evaluate`, collecting every transition. */
export const replay = (rule: Rule, inputs: ReadonlyArray<EngineInput>, options: ReplayOptions = {}): Replay => {
  let state = options.state ?? initialState(rule);
  const transitions: Array<AlertTransition> = [];
  for (const input of inputs) {
    const result = evaluate(rule, state, input, options.registry, options);
    state = result.state;
    transitions.push(...result.transitions);
  }
  return { state, transitions };
};

/**
 * Transitions as `Type@seconds` (with the severity for raises and escalations): compact to assert on.
 *
 * @example
 * timeline(transitions) // ["AlertPending@5", "AlertRaised:major@15", "AlertResolved@40"]
 */
export const timeline = (transitions: ReadonlyArray<AlertTransition>): Array<string> =>
  transitions.map((transition) => {
    const severity =
      transition.type === "AlertRaised"
        ? `:${transition.severity}`
        : transition.type === "AlertEscalated"
          ? `:${transition.to}`
          : "";
    return `${transition.type}${severity}@${transition.at / 1000}`;
  });

/** Readings of one key at the given (seconds, value) points. */
export const series = (key: string, points: ReadonlyArray<readonly [number, ReadingValue]>): Array<ReadingInput> =>
  points.map(([seconds, value]) => readingAt(sec(seconds), { [key]: value }));
