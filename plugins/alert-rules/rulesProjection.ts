/**
 * `rules` (collection `rm_rules`): one document per live rule, `_id` = `<tenantId>|<ruleId>`.
 * The definition is kept as JSON text (extension conditions may carry any parameter
 * names, which a document store would not always accept as field names); what queries
 * filter on (tenant, enabled, scope) is kept beside it as plain fields.
 */
import { defineProjection } from "../../core/index.ts";
import type { Rule } from "./engineApi.ts";
import { RuleCreated, RuleDeleted, RuleDisabled, RuleEnabled, RuleUpdated } from "./ruleEvents.ts";

/** A rule as `rm_rules` stores it (without `_id`). */
export interface RuleDocument extends Record<string, unknown> {
  readonly tenantId: string;
  readonly ruleId: string;
  readonly name: string;
  readonly severity: string;
  readonly enabled: boolean;
  readonly scopeKind: "device" | "tag" | "all";
  readonly scopeValue: string | null;
  /** The stream version of the last RuleCreated/RuleUpdated: evaluation state belongs to one definition. */
  readonly definitionVersion: number;
  /** The stream version (the ETag). */
  readonly version: number;
  /** The engine's rule, with `version` and `enabled` current, as JSON. */
  readonly definition: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * @example
 * ruleDocumentId("acme", "hot-pumps") // "acme|hot-pumps"
 */
export const ruleDocumentId = (tenantId: string, ruleId: string): string => `${tenantId}|${ruleId}`;

/** The collection (other plugins may read it; only this plugin writes it). */
export const rulesCollection = "rm_rules";

const parsed = new WeakMap<object, Rule>();

/**
 * The engine's rule a document holds (parsed once per document object).
 *
 * @example
 * const rule = ruleOf(document);
 */
export const ruleOf = (document: Pick<RuleDocument, "definition">): Rule => {
  const known = parsed.get(document);
  if (known !== undefined) return known;
  const rule = JSON.parse(document.definition) as Rule;
  parsed.set(document, rule);
  return rule;
};

/** How a rule's scope is stored for queries. */
export interface ScopeFields {
  readonly scopeKind: "device" | "tag" | "all";
  readonly scopeValue: string | null;
}

/**
 * @example
 * scopeFieldsOf({ ...rule, scope: { tag: "pump" } }) // { scopeKind: "tag", scopeValue: "pump" }
 */
export const scopeFieldsOf = (rule: Pick<Rule, "scope">): ScopeFields => {
  const scope = rule.scope as { readonly deviceId?: string; readonly tag?: string };
  if (scope.deviceId !== undefined) return { scopeKind: "device", scopeValue: scope.deviceId };
  if (scope.tag !== undefined) return { scopeKind: "tag", scopeValue: scope.tag };
  return { scopeKind: "all", scopeValue: null };
};

const documentOf = (rule: Rule, version: number, at: string, createdAt: string): RuleDocument => {
  const current = { ...rule, version } as Rule;
  return {
    tenantId: rule.tenantId,
    ruleId: rule.ruleId,
    name: rule.name,
    severity: rule.severity,
    enabled: rule.enabled,
    ...scopeFieldsOf(rule),
    definitionVersion: version,
    version,
    definition: JSON.stringify(current),
    createdAt,
    updatedAt: at,
  };
};

const withEnabled = (doc: RuleDocument, enabled: boolean, version: number, at: string): RuleDocument => ({
  ...doc,
  enabled,
  version,
  updatedAt: at,
  definition: JSON.stringify({ ...ruleOf(doc), enabled, version }),
});

/**
 * @example
 * api.projection(rulesProjection);
 */
export const rulesProjection = defineProjection({
  name: "rules",
  version: 1,
  events: [RuleCreated, RuleUpdated, RuleEnabled, RuleDisabled, RuleDeleted],
  key: (event) =>
    ruleDocumentId(event.tenantId, "rule" in event.payload ? event.payload.rule.ruleId : event.payload.ruleId),
  apply: (doc: RuleDocument | undefined, event): RuleDocument | undefined => {
    const version = event.streamVersion;
    const at = event.occurredAt;
    switch (event.type) {
      case "RuleCreated":
        return documentOf(event.payload.rule, version, at, at);
      case "RuleUpdated":
        return doc && documentOf({ ...event.payload.rule, enabled: doc.enabled } as Rule, version, at, doc.createdAt);
      case "RuleEnabled":
        return doc && withEnabled(doc, true, version, at);
      case "RuleDisabled":
        return doc && withEnabled(doc, false, version, at);
      case "RuleDeleted":
        return undefined;
    }
  },
  indexes: [{ keys: { tenantId: 1, ruleId: 1 } }, { keys: { enabled: 1 } }],
});
