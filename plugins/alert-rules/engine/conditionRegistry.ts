/**
 * The condition extension point: a registry maps each leaf condition `type` to its
 * definition (schema, references, evaluate). The built-in leaves are always in it; a
 * plugin adds its own types, and rules are decoded and evaluated with that registry.
 * `and`, `or` and `not` are part of the language itself and cannot be replaced.
 */
import type { ConditionDefinition } from "./conditionDefinition.ts";
import { absenceCondition } from "./conditions/absence.ts";
import { aggregateCondition } from "./conditions/aggregate.ts";
import { compareCondition } from "./conditions/compare.ts";
import { rangeCondition } from "./conditions/range.ts";
import { rateOfChangeCondition } from "./conditions/rateOfChange.ts";
import { thresholdCondition } from "./conditions/threshold.ts";

/** The condition types a rule may use, by `type`. */
export interface ConditionRegistry {
  readonly definitions: ReadonlyMap<string, ConditionDefinition>;
}

/** The leaf condition types every registry holds. */
export const builtInConditions: ReadonlyArray<ConditionDefinition> = [
  thresholdCondition,
  rangeCondition,
  rateOfChangeCondition,
  aggregateCondition,
  absenceCondition,
  compareCondition,
];

/** The combinators, handled by the engine itself. */
export const combinatorTypes: ReadonlyArray<string> = ["and", "or", "not"];

const typePattern = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/**
 * A registry of the built-in conditions plus `extensions`. Throws (a wiring bug, found at
 * startup) when an extension's type is malformed, taken by a built-in, or given twice.
 *
 * @example
 * import { zScoreCondition } from "./extensions/zScoreCondition.ts";
 * const registry = makeConditionRegistry([zScoreCondition]);
 * const rule = decodeRule(registry)(body); // accepts { type: "zScore", ... } conditions
 * evaluate(rule, state, input, registry);
 */
export const makeConditionRegistry = (extensions: ReadonlyArray<ConditionDefinition> = []): ConditionRegistry => {
  const definitions = new Map<string, ConditionDefinition>();
  for (const definition of [...builtInConditions, ...extensions]) {
    if (!typePattern.test(definition.type)) {
      throw new Error(
        `condition type "${definition.type}" must be 1-64 letters, digits or _ . -, starting with a letter`,
      );
    }
    if (combinatorTypes.includes(definition.type) || definitions.has(definition.type)) {
      throw new Error(`condition type "${definition.type}" is already defined`);
    }
    definitions.set(definition.type, definition);
  }
  return { definitions };
};

/** The built-in condition types only. */
export const defaultConditionRegistry: ConditionRegistry = makeConditionRegistry();
