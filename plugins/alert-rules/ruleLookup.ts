/**
 * Which enabled rules apply to a device's reading: the tenant's enabled rules (cached a
 * couple of seconds per process: a rule change takes effect within `ttlMs`), filtered by
 * scope (the device itself, one of its tags from `rm_devices`, or every device) and by
 * the telemetry event the rule is evaluated on.
 */
import { Effect, Option } from "effect";
import { batchedGet, ReadModelStore } from "../../core/index.ts";
import { type DeviceDocument, devicesCollection } from "../devices/index.ts";
import type { ConditionTypes } from "./conditionTypes.ts";
import { type RuleDocument, ruleDocumentId, ruleOf, rulesCollection } from "./rulesProjection.ts";

interface Cached<A> {
  readonly value: A;
  readonly expiresAt: number;
}

export interface RuleLookup {
  /** The enabled rules of the tenant that apply to this device's readings from `source`. */
  readonly rulesFor: (
    tenantId: string,
    deviceId: string,
    source: "recorded" | "enriched",
  ) => Effect.Effect<ReadonlyArray<RuleDocument>, unknown, ReadModelStore>;
  /** One rule as `rm_rules` holds it now (no cache), if it exists. */
  readonly currentRule: (
    tenantId: string,
    ruleId: string,
  ) => Effect.Effect<RuleDocument | undefined, unknown, ReadModelStore>;
}

const maxCachedTenants = 10_000;

const cachedLoad = <A>(
  cache: Map<string, Cached<A>>,
  key: string,
  ttlMs: number,
  load: Effect.Effect<A, unknown, ReadModelStore>,
) =>
  Effect.gen(function* () {
    const hit = cache.get(key);
    if (hit !== undefined && hit.expiresAt > Date.now()) return hit.value;
    const value = yield* load;
    if (cache.size >= maxCachedTenants) cache.clear();
    cache.set(key, { value, expiresAt: Date.now() + ttlMs });
    return value;
  });

/**
 * @example
 * const lookup = makeRuleLookup({ ttlMs: 2_000 }, types);
 * const rules = yield* lookup.rulesFor("acme", "pump-1", "recorded");
 */
export const makeRuleLookup = (options: { readonly ttlMs: number }, types: ConditionTypes): RuleLookup => {
  const rulesByTenant = new Map<string, Cached<ReadonlyArray<RuleDocument>>>();
  const tagsByDevice = new Map<string, Cached<ReadonlyArray<string>>>();

  const enabledRules = (tenantId: string) =>
    cachedLoad(
      rulesByTenant,
      tenantId,
      options.ttlMs,
      Effect.flatMap(ReadModelStore, (store) =>
        store.find(rulesCollection, { tenantId, enabled: true }, { sort: { ruleId: 1 } }),
      ).pipe(Effect.map((views) => views as unknown as ReadonlyArray<RuleDocument>)),
    );

  const deviceTags = (tenantId: string, deviceId: string) =>
    cachedLoad(
      tagsByDevice,
      `${tenantId}|${deviceId}`,
      options.ttlMs,
      Effect.flatMap(ReadModelStore, (store) => batchedGet(store, devicesCollection, `${tenantId}|${deviceId}`)).pipe(
        Effect.map((found) => (found as Partial<DeviceDocument> | undefined)?.tags ?? []),
      ),
    );

  return {
    rulesFor: (tenantId, deviceId, source) =>
      Effect.gen(function* () {
        const rules = (yield* enabledRules(tenantId)).filter((rule) => {
          const facts = types.factsOf(ruleOf(rule));
          return facts.evaluable && facts.usesEnrichment === (source === "enriched");
        });
        const needTags = rules.some((rule) => rule.scopeKind === "tag");
        const tags = needTags ? yield* deviceTags(tenantId, deviceId) : [];
        return rules.filter(
          (rule) =>
            rule.scopeKind === "all" ||
            (rule.scopeKind === "device" && rule.scopeValue === deviceId) ||
            (rule.scopeKind === "tag" && rule.scopeValue !== null && tags.includes(rule.scopeValue)),
        );
      }),
    currentRule: (tenantId, ruleId) =>
      Effect.gen(function* () {
        const store = yield* ReadModelStore;
        const found = yield* store.get(rulesCollection, ruleDocumentId(tenantId, ruleId));
        return Option.getOrUndefined(found) as unknown as RuleDocument | undefined;
      }),
  };
};
