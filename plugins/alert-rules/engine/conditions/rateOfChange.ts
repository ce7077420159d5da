/** `rateOfChange`: how fast a value moved over the last T seconds, per second, e.g. `temp rises > 0.5/s`. */
import { Schema } from "effect";
import { defineCondition } from "../conditionDefinition.ts";
import { Op, ValueRef, WindowSeconds } from "../ruleFields.ts";
import { nextWindowExit } from "../windows.ts";
import { compareValues } from "./comparisons.ts";

/**
 * @example
 * // rising faster than 2 units per minute
 * { type: "rateOfChange", value: { source: "reading", key: "temp" }, windowSeconds: 300, op: ">", perSecond: 2 / 60 }
 */
export const RateOfChangeCondition = Schema.Struct({
  type: Schema.Literal("rateOfChange"),
  value: ValueRef,
  windowSeconds: WindowSeconds,
  op: Op,
  perSecond: Schema.Finite,
});
export type RateOfChangeCondition = typeof RateOfChangeCondition.Type;

/**
 * The rate is (newest - oldest) / elapsed seconds between the oldest and the newest sample
 * in the window; fewer than two samples at distinct times give null.
 */
export const rateOfChangeCondition = defineCondition({
  schema: RateOfChangeCondition,
  references: (condition) => [{ ref: condition.value, window: { seconds: condition.windowSeconds } }],
  evaluate: (condition, context) => {
    const samples = context.window(condition.value, { seconds: condition.windowSeconds });
    const oldest = samples[0];
    const newest = samples[samples.length - 1];
    if (oldest === undefined || newest === undefined || newest[0] === oldest[0]) return { holds: null, value: null };
    const rate = (newest[1] - oldest[1]) / ((newest[0] - oldest[0]) / 1000);
    const comparison = compareValues(rate, condition.op, condition.perSecond);
    return { holds: comparison.holds, value: rate, excess: comparison.excess };
  },
  nextChange: (condition, context) => {
    const window = { seconds: condition.windowSeconds };
    return nextWindowExit(context.window(condition.value, window), window);
  },
});
