/**
 * The rule lifecycle as events (family `rules`, stream `rule-<tenantId>-<ruleId>`): a rule
 * is created and updated with its whole definition (the engine's rule schema), enabled,
 * disabled and deleted. The stream version is the rule's version (If-Match).
 */
import { Schema } from "effect";
import { defineEvent, type StreamId } from "../../core/index.ts";
import type { Rule } from "./engineApi.ts";

/** Rule ids: short, URL- and stream-id-safe (the engine's rule schema checks them the same way). */
export const RuleId = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9_.-]{1,64}$/, { message: "rule ids are 1 to 64 characters of A-Z a-z 0-9 _ . -" }),
);

/**
 * A rule as events carry it. Its conditions were checked by the engine's schema, with the
 * condition types loaded then, when the command ran; reading it back only checks its shape,
 * so a rule using a condition type whose plugin is gone still decodes (it is not evaluated).
 */
const StoredRule = Schema.declare(
  (input: unknown): input is Rule =>
    typeof input === "object" &&
    input !== null &&
    typeof (input as { ruleId?: unknown }).ruleId === "string" &&
    typeof (input as { condition?: unknown }).condition === "object",
);

/**
 * The stream of one rule. Tenant ids have no "-", so the id splits unambiguously.
 *
 * @example
 * ruleStreamId("acme", "hot-pumps") // "rule-acme-hot-pumps"
 */
export const ruleStreamId = (tenantId: string, ruleId: string): StreamId => `rule-${tenantId}-${ruleId}` as StreamId;

const RuleDefinition = Schema.Struct({ rule: StoredRule });
const RuleReference = Schema.Struct({ ruleId: Schema.String });

/**
 * @example
 * RuleCreated.make({ rule }, { tenantId })
 */
export const RuleCreated = defineEvent({ type: "RuleCreated", family: "rules", payload: RuleDefinition });

/**
 * The whole new definition; `rule.version` is the version this event gives the rule.
 *
 * @example
 * RuleUpdated.make({ rule: { ...rule, version: 3 } }, { tenantId })
 */
export const RuleUpdated = defineEvent({ type: "RuleUpdated", family: "rules", payload: RuleDefinition });

/**
 * @example
 * RuleEnabled.make({ ruleId: "hot" }, { tenantId })
 */
export const RuleEnabled = defineEvent({ type: "RuleEnabled", family: "rules", payload: RuleReference });

/**
 * The rule stops being evaluated; its open alerts resolve (reason ruleDisabled).
 *
 * @example
 * RuleDisabled.make({ ruleId: "hot" }, { tenantId })
 */
export const RuleDisabled = defineEvent({ type: "RuleDisabled", family: "rules", payload: RuleReference });

/**
 * The rule stops being evaluated and listed; its alerts stay in the history.
 *
 * @example
 * RuleDeleted.make({ ruleId: "hot" }, { tenantId })
 */
export const RuleDeleted = defineEvent({ type: "RuleDeleted", family: "rules", payload: RuleReference });

/** Every rule event, for `api.events(...)`. */
export const ruleEvents = [RuleCreated, RuleUpdated, RuleEnabled, RuleDisabled, RuleDeleted] as const;
