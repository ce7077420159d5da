/** The ConditionContext of one evaluation instant: the state's values seen as of `now`. */
import type { Condition } from "./condition.ts";
import type { ConditionContext, ConditionResult } from "./conditionDefinition.ts";
import type { ConditionRegistry } from "./conditionRegistry.ts";
import { earliestChange, evaluateAnd } from "./conditions/and.ts";
import { evaluateNot } from "./conditions/not.ts";
import { evaluateOr } from "./conditions/or.ts";
import { definitionOf, isAllOrAny, isNot } from "./conditionTree.ts";
import type { RuleDeviceState, TrackedValue } from "./ruleDeviceState.ts";
import { referenceId } from "./rulePlan.ts";
import { type Sample, samplesInWindow } from "./windows.ts";

/**
 * A context over `state` at device time `now`, dispatching conditions through `registry`.
 *
 * @example
 * const result = makeConditionContext(state, state.clock, registry).evaluate(rule.condition);
 */
export const makeConditionContext = (
  state: RuleDeviceState,
  now: number,
  registry: ConditionRegistry,
): ConditionContext => {
  const tracked = new Map<string, TrackedValue>(state.tracked.map((value) => [referenceId(value), value]));
  // Several conditions (and their next changes) read the same windows at the same instant.
  const windows = new Map<string, ReadonlyArray<Sample>>();
  const context: ConditionContext = {
    now,
    observingSince: state.observingSince ?? now,
    latest: (ref) => {
      const latest = tracked.get(referenceId(ref))?.latest;
      return latest === undefined ? undefined : { ts: latest[0], value: latest[1] };
    },
    window: (ref, window) => {
      const id = `${referenceId(ref)}|${"seconds" in window ? `${window.seconds}s` : `${window.readings}r`}`;
      const known = windows.get(id);
      if (known !== undefined) return known;
      const samples = samplesInWindow(tracked.get(referenceId(ref))?.window ?? [], window, now);
      windows.set(id, samples);
      return samples;
    },
    evaluate: (condition: Condition): ConditionResult => {
      if (isAllOrAny(condition)) {
        return condition.type === "and" ? evaluateAnd(condition, context) : evaluateOr(condition, context);
      }
      if (isNot(condition)) return evaluateNot(condition, context);
      return definitionOf(condition, registry).evaluate(condition, context);
    },
    nextChange: (condition: Condition): number | undefined => {
      if (isAllOrAny(condition)) return earliestChange(condition.conditions, context);
      if (isNot(condition)) return context.nextChange(condition.condition);
      const next = definitionOf(condition, registry).nextChange(condition, context);
      // A change at or before `now` is no change to wait for (guards against a careless extension).
      return next !== undefined && next > now ? next : undefined;
    },
  };
  return context;
};
