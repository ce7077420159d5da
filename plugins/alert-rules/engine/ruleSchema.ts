/**
 * The Rule schema: what the admin API accepts and the engine evaluates. Conditions are
 * decoded with a ConditionRegistry, so a plugin's condition types are accepted only when
 * registered. Nesting is bounded by construction: the schema has one level per allowed
 * depth, so decoding never recurses deeper than 8 however deep the input is.
 */
import { type Result, Schema, type SchemaAST } from "effect";
import type { Condition } from "./condition.ts";
import { type ConditionRegistry, defaultConditionRegistry } from "./conditionRegistry.ts";
import { andSchema } from "./conditions/and.ts";
import { notSchema } from "./conditions/not.ts";
import { orSchema } from "./conditions/or.ts";
import { conditionCount } from "./conditionTree.ts";
import {
  maxConditionDepth,
  maxConditionsPerTree,
  maxWindowReadings,
  maxWindowSeconds,
  Severity,
  severityRank,
} from "./ruleFields.ts";

/** A combinator found where nesting has reached its limit: accepted by shape, refused with a clear message. */
const tooDeep = (type: "and" | "or" | "not") =>
  Schema.StructWithRest(Schema.Struct({ type: Schema.Literal(type) }), [
    Schema.Record(Schema.String, Schema.Unknown),
  ]).check(Schema.makeFilter(() => `conditions nest at most ${maxConditionDepth} deep`));

const buildConditionSchema = (registry: ConditionRegistry): Schema.Codec<Condition> => {
  const leaves = [...registry.definitions.values()].map((definition) =>
    definition.schema.annotate({
      identifier: `${definition.type.charAt(0).toUpperCase()}${definition.type.slice(1)}Condition`,
    }),
  );
  const types = [...registry.definitions.keys(), "and", "or", "not"].join(", ");
  const unknownType = { message: `Expected a condition whose type is one of ${types}` };
  // Each level is named, so JSON Schema (OpenAPI) refers to it instead of inlining it three times per level.
  const named = (depth: number) => ({ ...unknownType, identifier: `ConditionAtDepth${depth}` });
  let level: Schema.Top = Schema.Union([...leaves, tooDeep("and"), tooDeep("or"), tooDeep("not")]).annotate(
    named(maxConditionDepth),
  );
  for (let depth = maxConditionDepth - 1; depth >= 1; depth--) {
    level = Schema.Union([...leaves, andSchema(level), orSchema(level), notSchema(level)]).annotate(named(depth));
  }
  // The levels' inferred types differ only in depth; all are Condition.
  return level as unknown as Schema.Codec<Condition>;
};

const conditionSchemas = new WeakMap<ConditionRegistry, Schema.Codec<Condition>>();

/**
 * The Condition schema for a registry (built once per registry).
 *
 * @example
 * Schema.decodeUnknownSync(makeConditionSchema(defaultConditionRegistry))(
 *   { type: "threshold", value: { source: "reading", key: "temp" }, op: ">", threshold: 30 },
 * );
 */
export const makeConditionSchema = (registry: ConditionRegistry): Schema.Codec<Condition> => {
  const known = conditionSchemas.get(registry);
  if (known !== undefined) return known;
  const built = buildConditionSchema(registry);
  conditionSchemas.set(registry, built);
  return built;
};

const tenantIdPattern = /^[A-Za-z0-9_]{1,64}$/;
const ruleIdPattern = /^[A-Za-z0-9_.-]{1,64}$/;
const deviceIdPattern = /^[A-Za-z0-9._:-]{1,100}$/;
const tagPattern = /^[A-Za-z0-9._:-]{1,64}$/;

/** Which devices a rule watches: one device, the devices with a tag, or all of the tenant's devices. */
export const RuleScope = Schema.Union([
  Schema.Struct({ deviceId: Schema.String.check(Schema.isPattern(deviceIdPattern)) }),
  Schema.Struct({ tag: Schema.String.check(Schema.isPattern(tagPattern)) }),
  Schema.Struct({ allDevices: Schema.Literal(true) }),
]);
export type RuleScope = typeof RuleScope.Type;

const treeSizeIssue = (path: ReadonlyArray<PropertyKey>, condition: Condition | undefined) =>
  condition !== undefined && conditionCount(condition) > maxConditionsPerTree
    ? [{ path, issue: `a condition tree holds at most ${maxConditionsPerTree} conditions` }]
    : [];

const buildRuleSchema = (registry: ConditionRegistry) => {
  const condition = makeConditionSchema(registry);
  return Schema.Struct({
    ruleId: Schema.String.check(
      Schema.isPattern(ruleIdPattern, { message: "rule ids are 1-64 letters, digits or _ . -" }),
    ),
    tenantId: Schema.String.check(
      Schema.isPattern(tenantIdPattern, { message: "tenant ids are 1-64 letters, digits or _" }),
    ),
    name: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200)),
    version: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
    enabled: Schema.Boolean,
    scope: RuleScope,
    severity: Severity,
    condition,
    /** Hysteresis: once raised, the alert resolves only when this holds (default: when `condition` is false). */
    clear: Schema.optionalKey(condition),
    /** Pending until the condition held this long in device time, then raised. */
    forSeconds: Schema.optionalKey(Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: maxWindowSeconds }))),
    /** Raise only after this many consecutive evaluations matched (default 1). */
    repeat: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: maxWindowReadings }))),
    /** While open, the alert escalates to `severity` when `condition` holds. */
    escalation: Schema.optionalKey(Schema.Struct({ condition, severity: Severity })),
  }).check(
    Schema.makeFilter((rule) => [
      ...treeSizeIssue(["condition"], rule.condition),
      ...treeSizeIssue(["clear"], rule.clear),
      ...treeSizeIssue(["escalation", "condition"], rule.escalation?.condition),
      ...(rule.escalation !== undefined && severityRank(rule.escalation.severity) <= severityRank(rule.severity)
        ? [{ path: ["escalation", "severity"], issue: "escalation goes to a more severe severity than the rule's" }]
        : []),
    ]),
  );
};

const ruleSchemas = new WeakMap<ConditionRegistry, ReturnType<typeof buildRuleSchema>>();

/**
 * The Rule schema for a registry (built once per registry): use it for the admin API body
 * with `ruleParseOptions`.
 *
 * @example
 * const RuleWithZScore = makeRuleSchema(makeConditionRegistry([zScoreCondition]));
 * sValidator("json", Schema.toStandardSchemaV1(RuleWithZScore, { parseOptions: ruleParseOptions }));
 */
export const makeRuleSchema = (registry: ConditionRegistry = defaultConditionRegistry) => {
  const known = ruleSchemas.get(registry);
  if (known !== undefined) return known;
  const built = buildRuleSchema(registry);
  ruleSchemas.set(registry, built);
  return built;
};

/** The Rule schema with the built-in condition types only. */
export const RuleSchema = makeRuleSchema(defaultConditionRegistry);
/** Same as RuleSchema, named like its type. */
export const Rule = RuleSchema;

/**
 * @example
 * const rule: Rule = {
 *   ruleId: "hot-pump", tenantId: "acme", name: "Pump too hot", version: 1, enabled: true,
 *   scope: { tag: "pump" }, severity: "major",
 *   condition: { type: "threshold", value: { source: "reading", key: "temp" }, op: ">", threshold: 80 },
 *   clear: { type: "threshold", value: { source: "reading", key: "temp" }, op: "<", threshold: 75 },
 *   forSeconds: 60,
 *   escalation: { severity: "critical", condition: { type: "threshold", value: { source: "reading", key: "temp" }, op: ">", threshold: 95 } },
 * };
 */
export type Rule = typeof Rule.Type;

/** Report every problem, and refuse unknown properties (a typo such as `forSecond` must not pass silently). */
export const ruleParseOptions: SchemaAST.ParseOptions = { errors: "all", onExcessProperty: "error" };

/**
 * Decodes an unknown value (an API body, a stored rule) into a Rule with `registry`'s condition types.
 *
 * @example
 * const result = decodeRule()(body);
 * if (Result.isFailure(result)) console.log(result.failure.message);
 */
export const decodeRule =
  (registry: ConditionRegistry = defaultConditionRegistry) =>
  (input: unknown): Result.Result<Rule, Schema.SchemaError> =>
    Schema.decodeUnknownResult(makeRuleSchema(registry))(input, ruleParseOptions);
