/** `not`: the condition does not hold. Its schema is built by ruleSchema.ts because conditions nest. */
import { Schema } from "effect";
import type { Condition } from "../condition.ts";
import type { ConditionContext, ConditionResult } from "../conditionDefinition.ts";

/**
 * @example
 * { type: "not", condition: { type: "threshold", value: { source: "reading", key: "state" }, op: "==", threshold: "ok" } }
 */
export interface NotCondition {
  readonly type: "not";
  readonly condition: Condition;
}

/** The `not` schema over a condition decoded by `member` (one nesting level down). */
export const notSchema = <S extends Schema.Top>(member: S) =>
  Schema.Struct({ type: Schema.Literal("not"), condition: member });

/** Negates the inner result (null stays null) and its excess, so the peak still means "worst". */
export const evaluateNot = (condition: NotCondition, context: ConditionContext): ConditionResult => {
  const inner = context.evaluate(condition.condition);
  return {
    holds: inner.holds === null ? null : !inner.holds,
    value: inner.value,
    excess: inner.excess === undefined ? undefined : -inner.excess,
  };
};
