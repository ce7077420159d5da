/** `aggregate`: avg, min, max or count of a value over the last T seconds or the last N readings. */
import { Schema } from "effect";
import { defineCondition } from "../conditionDefinition.ts";
import { Op, ValueRef, WindowSpec } from "../ruleFields.ts";
import { nextWindowExit, type Sample } from "../windows.ts";
import { compareValues } from "./comparisons.ts";

/**
 * @example
 * { type: "aggregate", value: { source: "reading", key: "temp" }, fn: "avg", window: { seconds: 300 }, op: ">", threshold: 30 }
 * { type: "aggregate", value: { source: "reading", key: "pulse" }, fn: "count", window: { seconds: 60 }, op: "<", threshold: 5 }
 */
export const AggregateCondition = Schema.Struct({
  type: Schema.Literal("aggregate"),
  value: ValueRef,
  fn: Schema.Literals(["avg", "min", "max", "count"]),
  window: WindowSpec,
  op: Op,
  threshold: Schema.Finite,
});
export type AggregateCondition = typeof AggregateCondition.Type;

const aggregateOf = (fn: AggregateCondition["fn"], samples: ReadonlyArray<Sample>): number | undefined => {
  if (fn === "count") return samples.length;
  if (samples.length === 0) return undefined;
  // Plain loops: this runs on every evaluation over windows of up to 10,000 samples.
  let total = 0;
  let lowest = Number.POSITIVE_INFINITY;
  let highest = Number.NEGATIVE_INFINITY;
  for (const [, value] of samples) {
    total += value;
    lowest = Math.min(lowest, value);
    highest = Math.max(highest, value);
  }
  return fn === "min" ? lowest : fn === "max" ? highest : total / samples.length;
};

/**
 * Aggregates the numeric samples in the window at the evaluation instant; an empty window
 * counts 0 and gives null for avg, min and max.
 */
export const aggregateCondition = defineCondition({
  schema: AggregateCondition,
  references: (condition) => [{ ref: condition.value, window: condition.window }],
  evaluate: (condition, context) => {
    const aggregate = aggregateOf(condition.fn, context.window(condition.value, condition.window));
    if (aggregate === undefined) return { holds: null, value: null };
    const comparison = compareValues(aggregate, condition.op, condition.threshold);
    return { holds: comparison.holds, value: aggregate, excess: comparison.excess };
  },
  nextChange: (condition, context) =>
    nextWindowExit(context.window(condition.value, condition.window), condition.window),
});
