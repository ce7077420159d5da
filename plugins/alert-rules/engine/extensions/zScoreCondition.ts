/**
 * An example condition type from outside the engine: `zScore` holds when the newest value
 * lies more than `limit` standard deviations from the mean of the values before it in a
 * window ("unusual for this device"). It uses only the public extension API; a plugin
 * registers it and decodes its rules with that registry:
 *
 *   const registry = makeConditionRegistry([zScoreCondition]);
 *   const rule = decodeRule(registry)(body);
 *   evaluate(rule, state, input, registry);
 */
import { Schema } from "effect";
import { defineCondition } from "../conditionDefinition.ts";
import { ValueRef, WindowSpec } from "../ruleFields.ts";
import { nextWindowExit, type Sample } from "../windows.ts";

/**
 * @example
 * { type: "zScore", value: { source: "reading", key: "vibration" }, window: { readings: 50 }, limit: 3 }
 */
export const ZScoreCondition = Schema.Struct({
  type: Schema.Literal("zScore"),
  value: ValueRef,
  window: WindowSpec,
  limit: Schema.Finite.check(Schema.isGreaterThan(0, { message: "the limit is above 0 standard deviations" })),
});
export type ZScoreCondition = typeof ZScoreCondition.Type;

/** The fewest earlier samples a baseline needs before a z-score means anything. */
const minimumBaseline = 3;

/** Mean and standard deviation of the samples, or undefined when they do not vary. */
const baselineOf = (samples: ReadonlyArray<Sample>) => {
  const mean = samples.reduce((sum, sample) => sum + sample[1], 0) / samples.length;
  const variance = samples.reduce((sum, sample) => sum + (sample[1] - mean) ** 2, 0) / samples.length;
  const deviation = Math.sqrt(variance);
  return deviation > 0 ? { mean, deviation } : undefined;
};

/**
 * The baseline is the window without its newest sample, which is the value judged. Fewer
 * than 3 baseline samples, a flat baseline or a non-numeric value give null. The value
 * reported is the z-score; the excess is how far |z| is past the limit.
 */
export const zScoreCondition = defineCondition({
  schema: ZScoreCondition,
  references: (condition) => [{ ref: condition.value, window: condition.window }],
  evaluate: (condition, context) => {
    const samples = context.window(condition.value, condition.window);
    const newest = samples[samples.length - 1];
    const baselineSamples = samples.slice(0, -1);
    const baseline = baselineSamples.length >= minimumBaseline ? baselineOf(baselineSamples) : undefined;
    if (newest === undefined || baseline === undefined) return { holds: null, value: null };
    const z = (newest[1] - baseline.mean) / baseline.deviation;
    return { holds: Math.abs(z) > condition.limit, value: z, excess: Math.abs(z) - condition.limit };
  },
  nextChange: (condition, context) =>
    nextWindowExit(context.window(condition.value, condition.window), condition.window),
});
