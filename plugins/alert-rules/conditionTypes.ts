/**
 * The condition types rules may use: the engine's built-ins plus those other plugins
 * contribute to `conditionTypeExtensionPoint`. The registry is built on first use
 * (contributions are complete only once every plugin has registered) and then kept.
 * Rules are decoded with it (the admin API, backtests) and evaluated with it; what the
 * plugin needs to know about a rule (does it need ticks, does it read enrichment) is
 * derived with it too.
 */
import { Effect } from "effect";
import {
  decodeRequest,
  defineExtensionPoint,
  type ExtensionContributions,
  type ValidationFailed,
} from "../../core/index.ts";
import {
  type ConditionDefinition,
  type ConditionRegistry,
  conditionsOf,
  makeConditionRegistry,
  makeRuleSchema,
  type Rule,
  referencesOf,
  ruleNeedsTicks,
} from "./engineApi.ts";

/**
 * Contribute a condition type (see engine/conditionDefinition.ts, `defineCondition`).
 *
 * @example
 * api.extend(conditionTypeExtensionPoint, zScoreCondition); // rules may then use { type: "zScore", ... }
 */
export const conditionTypeExtensionPoint = defineExtensionPoint<ConditionDefinition>("alert-rules/condition-type");

/** What the plugin derives from a rule with the registry. */
export interface RuleFacts {
  /** False when the rule uses a condition type no loaded plugin provides: it is not evaluated. */
  readonly evaluable: boolean;
  /** The timer must evaluate it: `forSeconds`, or a condition that changes with time alone. */
  readonly needsTicks: boolean;
  /** It reads enrichment values: it is evaluated on TelemetryEnriched instead of TelemetryRecorded. */
  readonly usesEnrichment: boolean;
}

export interface ConditionTypes {
  readonly registry: () => ConditionRegistry;
  /** Decodes a rule (400 with field paths under `pathPrefix`). */
  readonly decodeRule: (input: unknown, pathPrefix?: string) => Effect.Effect<Rule, ValidationFailed>;
  readonly factsOf: (rule: Rule) => RuleFacts;
}

type Tree = Rule["condition"];

const leavesOf = (tree: Tree): ReadonlyArray<Tree> => {
  const node = tree as { type: string; conditions?: ReadonlyArray<Tree>; condition?: Tree };
  if (node.type === "and" || node.type === "or") return (node.conditions ?? []).flatMap(leavesOf);
  if (node.type === "not" && node.condition !== undefined) return leavesOf(node.condition);
  return [tree];
};

/**
 * The facts of a rule under a registry.
 *
 * @example
 * ruleFacts(rule, defaultConditionRegistry).needsTicks
 */
export const ruleFacts = (rule: Rule, registry: ConditionRegistry): RuleFacts => {
  const trees = conditionsOf(rule);
  if (trees.flatMap(leavesOf).some((leaf) => !registry.definitions.has(leaf.type))) {
    return { evaluable: false, needsTicks: false, usesEnrichment: false };
  }
  return {
    evaluable: true,
    needsTicks: ruleNeedsTicks(rule, registry),
    usesEnrichment: trees.some((tree) =>
      referencesOf(tree, registry).some((reference) => reference.ref.source === "enrichment"),
    ),
  };
};

/**
 * @example
 * const types = makeConditionTypes(api.extensionPoint(conditionTypeExtensionPoint));
 * const rule = yield* types.decodeRule(body);
 */
export const makeConditionTypes = (contributions: ExtensionContributions<ConditionDefinition>): ConditionTypes => {
  let registry: ConditionRegistry | undefined;
  const current = () => {
    registry ??= makeConditionRegistry(contributions.all().map((contribution) => contribution.value));
    return registry;
  };
  const facts = new WeakMap<object, RuleFacts>();
  return {
    registry: current,
    decodeRule: (input, pathPrefix = "") =>
      decodeRequest(makeRuleSchema(current()), input, pathPrefix).pipe(Effect.map((rule) => rule as Rule)),
    factsOf: (rule) => {
      const known = facts.get(rule);
      if (known !== undefined) return known;
      const derived = ruleFacts(rule, current());
      facts.set(rule, derived);
      return derived;
    },
  };
};
