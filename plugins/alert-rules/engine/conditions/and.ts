/** `and`: every condition holds. Its schema is built by ruleSchema.ts because conditions nest. */
import { Schema } from "effect";
import type { Condition } from "../condition.ts";
import type { ConditionContext, ConditionResult } from "../conditionDefinition.ts";
import { maxCombinedConditions } from "../ruleFields.ts";

/**
 * @example
 * { type: "and", conditions: [temperatureAbove30, doorOpen] }
 */
export interface AndCondition {
  readonly type: "and";
  readonly conditions: ReadonlyArray<Condition>;
}

/** The `and` schema over conditions decoded by `member` (one nesting level down). */
export const andSchema = <S extends Schema.Top>(member: S) =>
  Schema.Struct({
    type: Schema.Literal("and"),
    conditions: Schema.Array(member).check(Schema.isMinLength(1), Schema.isMaxLength(maxCombinedConditions)),
  });

/** The earliest next change among conditions: a combination may change whenever one of its parts does. */
export const earliestChange = (conditions: ReadonlyArray<Condition>, context: ConditionContext): number | undefined =>
  conditions.reduce<number | undefined>((earliest, condition) => {
    const next = context.nextChange(condition);
    return next === undefined || (earliest !== undefined && earliest <= next) ? earliest : next;
  }, undefined);

/**
 * False when any part is false, null when none is false but one cannot tell, true when all
 * hold. The value (and excess) is the first condition's: write the headline condition first.
 */
export const evaluateAnd = (condition: AndCondition, context: ConditionContext): ConditionResult => {
  const results = condition.conditions.map(context.evaluate);
  const first = results[0] ?? { holds: null, value: null };
  const holds = results.some((result) => result.holds === false)
    ? false
    : results.some((result) => result.holds === null)
      ? null
      : true;
  return { holds, value: first.value, excess: first.excess };
};
