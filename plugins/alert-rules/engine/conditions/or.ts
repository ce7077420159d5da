/** `or`: at least one condition holds. Its schema is built by ruleSchema.ts because conditions nest. */
import { Schema } from "effect";
import type { Condition } from "../condition.ts";
import type { ConditionContext, ConditionResult } from "../conditionDefinition.ts";
import { maxCombinedConditions } from "../ruleFields.ts";

/**
 * @example
 * { type: "or", conditions: [temperatureAbove30, humidityAbove80] }
 */
export interface OrCondition {
  readonly type: "or";
  readonly conditions: ReadonlyArray<Condition>;
}

/** The `or` schema over conditions decoded by `member` (one nesting level down). */
export const orSchema = <S extends Schema.Top>(member: S) =>
  Schema.Struct({
    type: Schema.Literal("or"),
    conditions: Schema.Array(member).check(Schema.isMinLength(1), Schema.isMaxLength(maxCombinedConditions)),
  });

/**
 * True when any part holds, null when none holds but one cannot tell, false when all are
 * false. The value is the first holding condition's (else the first condition's).
 */
export const evaluateOr = (condition: OrCondition, context: ConditionContext): ConditionResult => {
  const results = condition.conditions.map(context.evaluate);
  const holding = results.find((result) => result.holds === true);
  const headline = holding ?? results[0] ?? { holds: null, value: null };
  const holds = holding !== undefined ? true : results.some((result) => result.holds === null) ? null : false;
  return { holds, value: headline.value, excess: headline.excess };
};
