/** Walking condition trees: nesting depth, size, and the values a rule's conditions read. */
import type { Condition } from "./condition.ts";
import type { ValueReference } from "./conditionDefinition.ts";
import type { ConditionRegistry } from "./conditionRegistry.ts";
import type { AndCondition } from "./conditions/and.ts";
import type { NotCondition } from "./conditions/not.ts";
import type { OrCondition } from "./conditions/or.ts";

/** Narrows to `and` / `or` (the extension member of Condition defeats plain narrowing on `type`). */
export const isAllOrAny = (condition: Condition): condition is AndCondition | OrCondition =>
  condition.type === "and" || condition.type === "or";

/** Narrows to `not`. */
export const isNot = (condition: Condition): condition is NotCondition => condition.type === "not";

/** The conditions directly inside a combinator (none for a leaf). */
export const childrenOf = (condition: Condition): ReadonlyArray<Condition> =>
  isAllOrAny(condition) ? condition.conditions : isNot(condition) ? [condition.condition] : [];

/**
 * How deep a tree nests: a leaf is 1.
 *
 * @example
 * conditionDepth({ type: "not", condition: leaf }) // 2
 */
export const conditionDepth = (condition: Condition): number =>
  1 + childrenOf(condition).reduce((deepest, child) => Math.max(deepest, conditionDepth(child)), 0);

/**
 * How many conditions a tree holds, combinators included.
 *
 * @example
 * conditionCount({ type: "and", conditions: [leaf, leaf] }) // 3
 */
export const conditionCount = (condition: Condition): number =>
  1 + childrenOf(condition).reduce((total, child) => total + conditionCount(child), 0);

/**
 * Every value the tree reads, with the windows it needs, in tree order. Throws for a type
 * the registry does not know (a rule decoded with another registry: a wiring bug).
 */
export const referencesOf = (condition: Condition, registry: ConditionRegistry): ReadonlyArray<ValueReference> => {
  const children = childrenOf(condition);
  if (children.length > 0) return children.flatMap((child) => referencesOf(child, registry));
  return definitionOf(condition, registry).references(condition);
};

/** The registered definition of a leaf condition; throws for an unknown type (a wiring bug). */
export const definitionOf = (condition: Condition, registry: ConditionRegistry) => {
  const definition = registry.definitions.get(condition.type);
  if (definition === undefined) {
    throw new Error(
      `condition type "${condition.type}" is not registered: evaluate with the registry that decoded the rule`,
    );
  }
  return definition;
};
