/**
 * What a rule needs the engine to remember: each value its conditions read, once, with the
 * widest window any condition asks of it. The state keeps these and nothing else, which is
 * what keeps it small and bounded.
 */
import type { Condition } from "./condition.ts";
import { type ConditionRegistry, defaultConditionRegistry } from "./conditionRegistry.ts";
import { childrenOf, definitionOf, referencesOf } from "./conditionTree.ts";
import type { ValueRef } from "./ruleFields.ts";
import type { Rule } from "./ruleSchema.ts";
import { noRetention, type WindowRetention, widenRetention } from "./windows.ts";

/** One value the state tracks, and how much of its history to keep. */
export interface TrackedReference {
  readonly id: string;
  readonly ref: ValueRef;
  readonly retention: WindowRetention;
}

/** The values a rule reads and whether time alone can change it. */
export interface RulePlan {
  /** In the order the rule first mentions them, so states are built in a stable order. */
  readonly tracked: ReadonlyArray<TrackedReference>;
  /** Some condition can change with no new reading (absence, time windows): the rule needs ticks. */
  readonly changesWithTime: boolean;
}

/** The identity of a value reference inside a state. */
export const referenceId = (ref: ValueRef): string => `${ref.source}:${ref.key}`;

/** The raise, clear and escalation conditions of a rule. */
export const conditionsOf = (rule: Rule): ReadonlyArray<Condition> => [
  rule.condition,
  ...(rule.clear === undefined ? [] : [rule.clear]),
  ...(rule.escalation === undefined ? [] : [rule.escalation.condition]),
];

const changesWithTime = (condition: Condition, registry: ConditionRegistry): boolean => {
  const children = childrenOf(condition);
  return children.length > 0
    ? children.some((child) => changesWithTime(child, registry))
    : definitionOf(condition, registry).changesWithTime;
};

const buildPlan = (rule: Rule, registry: ConditionRegistry): RulePlan => {
  const tracked = new Map<string, TrackedReference>();
  for (const reference of conditionsOf(rule).flatMap((condition) => referencesOf(condition, registry))) {
    const id = referenceId(reference.ref);
    const retention = tracked.get(id)?.retention ?? noRetention;
    const widened = reference.window === undefined ? retention : widenRetention(retention, reference.window);
    tracked.set(id, { id, ref: reference.ref, retention: widened });
  }
  return {
    tracked: [...tracked.values()],
    changesWithTime: conditionsOf(rule).some((condition) => changesWithTime(condition, registry)),
  };
};

const plans = new WeakMap<Rule, WeakMap<ConditionRegistry, RulePlan>>();

/**
 * The plan of a rule (computed once per rule object and registry).
 *
 * @example
 * planOf(rule, registry).tracked // [{ id: "reading:temp", ref, retention: { seconds: 300, readings: 0 } }]
 */
export const planOf = (rule: Rule, registry: ConditionRegistry): RulePlan => {
  const byRegistry = plans.get(rule) ?? new WeakMap<ConditionRegistry, RulePlan>();
  plans.set(rule, byRegistry);
  const known = byRegistry.get(registry);
  if (known !== undefined) return known;
  const built = buildPlan(rule, registry);
  byRegistry.set(registry, built);
  return built;
};

/**
 * Whether the worker must tick this rule's states: a `forSeconds`, an absence, a time
 * window, or an extension condition that changes with time. Rules that change only with
 * data need no ticks.
 *
 * @example
 * ruleNeedsTicks({ ...rule, condition: { type: "absence", key: "heartbeat", seconds: 300 } }) // true
 */
export const ruleNeedsTicks = (rule: Rule, registry: ConditionRegistry = defaultConditionRegistry): boolean =>
  (rule.forSeconds ?? 0) > 0 || planOf(rule, registry).changesWithTime;
