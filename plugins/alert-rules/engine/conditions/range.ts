/** `range`: a value inside or outside `[min, max]` (bounds included in the range). */
import { Schema } from "effect";
import { defineCondition } from "../conditionDefinition.ts";
import { ValueRef } from "../ruleFields.ts";

/**
 * @example
 * { type: "range", value: { source: "reading", key: "humidity" }, mode: "outside", min: 30, max: 60 }
 */
export const RangeCondition = Schema.Struct({
  type: Schema.Literal("range"),
  value: ValueRef,
  mode: Schema.Literals(["inside", "outside"]),
  min: Schema.Finite,
  max: Schema.Finite,
}).check(
  Schema.makeFilter((condition) =>
    condition.min <= condition.max ? undefined : { path: ["max"], issue: "max is at least min" },
  ),
);
export type RangeCondition = typeof RangeCondition.Type;

/** Holds when the latest numeric value is inside (or outside) the range; text values give null. */
export const rangeCondition = defineCondition({
  schema: RangeCondition,
  references: (condition) => [{ ref: condition.value }],
  evaluate: (condition, context) => {
    const latest = context.latest(condition.value);
    if (latest === undefined) return { holds: null, value: null };
    const value = latest.value;
    if (typeof value !== "number") return { holds: null, value };
    const inside = value >= condition.min && value <= condition.max;
    const depthInside = Math.min(value - condition.min, condition.max - value);
    return condition.mode === "inside"
      ? { holds: inside, value, excess: depthInside }
      : { holds: !inside, value, excess: -depthInside };
  },
});
