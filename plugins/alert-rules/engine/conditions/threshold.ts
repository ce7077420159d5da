/** `threshold`: a reading or enrichment value compared with a constant, e.g. `reading.temp > 30`. */
import { Schema } from "effect";
import { defineCondition } from "../conditionDefinition.ts";
import { Op, ReadingValue, ValueRef } from "../ruleFields.ts";
import { compareValues } from "./comparisons.ts";

/**
 * @example
 * { type: "threshold", value: { source: "reading", key: "temp" }, op: ">", threshold: 30 }
 * { type: "threshold", value: { source: "enrichment", key: "door" }, op: "==", threshold: "open" }
 */
export const ThresholdCondition = Schema.Struct({
  type: Schema.Literal("threshold"),
  value: ValueRef,
  op: Op,
  threshold: ReadingValue,
}).check(
  Schema.makeFilter((condition) =>
    typeof condition.threshold === "number" || condition.op === "==" || condition.op === "!="
      ? undefined
      : { path: ["op"], issue: "text and boolean thresholds compare with == or != only" },
  ),
);
export type ThresholdCondition = typeof ThresholdCondition.Type;

/** Holds when the value's latest reading compares true; its value is that reading. */
export const thresholdCondition = defineCondition({
  schema: ThresholdCondition,
  references: (condition) => [{ ref: condition.value }],
  evaluate: (condition, context) => {
    const latest = context.latest(condition.value);
    const comparison = compareValues(latest?.value, condition.op, condition.threshold);
    return { holds: comparison.holds, value: latest?.value ?? null, excess: comparison.excess };
  },
});
