/** `compare`: two values against each other, e.g. `reading.temp > enrichment.outside_temp`. */
import { Schema } from "effect";
import { defineCondition } from "../conditionDefinition.ts";
import { Op, ValueRef } from "../ruleFields.ts";
import { compareValues } from "./comparisons.ts";

/**
 * @example
 * { type: "compare", left: { source: "reading", key: "temp" }, op: ">", right: { source: "enrichment", key: "outside_temp" } }
 */
export const CompareCondition = Schema.Struct({
  type: Schema.Literal("compare"),
  left: ValueRef,
  op: Op,
  right: ValueRef,
});
export type CompareCondition = typeof CompareCondition.Type;

/** Compares the latest values of both sides; null until both were seen. Its value is the left side. */
export const compareCondition = defineCondition({
  schema: CompareCondition,
  references: (condition) => [{ ref: condition.left }, { ref: condition.right }],
  evaluate: (condition, context) => {
    const left = context.latest(condition.left);
    const right = context.latest(condition.right);
    if (right === undefined) return { holds: null, value: left?.value ?? null };
    const comparison = compareValues(left?.value, condition.op, right.value);
    return { holds: comparison.holds, value: left?.value ?? null, excess: comparison.excess };
  },
});
