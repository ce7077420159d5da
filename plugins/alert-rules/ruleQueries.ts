/**
 * Reading rules from `rm_rules`, always scoped by the caller's tenant.
 */
import { Effect, Option } from "effect";
import { NotFound, ReadModelStore } from "../../core/index.ts";
import { decodeCursor, encodeCursor } from "./requestInput.ts";
import { pageSizeOf } from "./requestSchemas.ts";
import { type RuleDocument, ruleDocumentId, ruleOf, rulesCollection } from "./rulesProjection.ts";

/**
 * A rule as the API shows it: the engine's rule (with its current version and enabled
 * flag) plus when it was created and last changed.
 */
export const ruleView = (doc: RuleDocument) => ({
  ...ruleOf(doc),
  version: doc.version,
  enabled: doc.enabled,
  createdAt: doc.createdAt,
  updatedAt: doc.updatedAt,
});

/**
 * @example
 * const rule = yield* getRule("acme", "hot-pumps"); // NotFound when it does not exist
 */
export const getRule = Effect.fn("alertRules.getRule")(function* (tenantId: string, ruleId: string) {
  const store = yield* ReadModelStore;
  const found = yield* store.get(rulesCollection, ruleDocumentId(tenantId, ruleId));
  if (Option.isNone(found)) return yield* new NotFound({ detail: `no rule ${ruleId}` });
  return ruleView(found.value as unknown as RuleDocument);
});

/**
 * A page of the tenant's rules, by rule id.
 *
 * @example
 * const { rules, nextCursor } = yield* listRules("acme", { enabled: "true", limit: "20" });
 */
export const listRules = Effect.fn("alertRules.listRules")(function* (
  tenantId: string,
  query: { readonly enabled?: "true" | "false"; readonly limit?: string; readonly cursor?: string },
) {
  const store = yield* ReadModelStore;
  const after = yield* decodeCursor(query.cursor);
  const limit = pageSizeOf(query.limit);
  const filter = {
    tenantId,
    ...(query.enabled === undefined ? {} : { enabled: query.enabled === "true" }),
    ...(after === undefined ? {} : { ruleId: { $gt: after } }),
  };
  const found = (yield* store.find(rulesCollection, filter, {
    sort: { ruleId: 1 },
    limit: limit + 1,
  })) as unknown as ReadonlyArray<RuleDocument>;
  const page = found.slice(0, limit);
  const last = page.at(-1);
  return {
    rules: page.map(ruleView),
    nextCursor: found.length > limit && last !== undefined ? encodeCursor(last.ruleId) : null,
  };
});
