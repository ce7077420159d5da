/**
 * Which enabled rules apply to a device's reading: the tenant's enabled rules, filtered by
 * scope (the device itself, one of its tags from `rm_devices`, or every device) and by the
 * telemetry event the rule is evaluated on.
 *
 * A reading is evaluated against the rules as they stood when it was recorded, or newer:
 * a process reuses its list of a tenant's enabled rules for readings recorded at least
 * `clockSkewMs` before it loaded the list (and for `ttlMs` at most), and loads the list
 * again for newer readings. A backlog therefore costs no reload, a consumer that keeps up
 * loads once per round of the runs it handles side by side (one query for every tenant
 * waiting), and a rule created just before a reading is never missed. Device tags are
 * cached for `ttlMs`: a tag change reaches evaluation within that.
 */
import { Effect, Option } from "effect";
import { batchedGet, makeBatchedLoads, perStore, ReadModelStore } from "../../core/index.ts";
import { type DeviceDocument, devicesCollection } from "../devices/index.ts";
import type { ConditionTypes } from "./conditionTypes.ts";
import { type RuleDocument, ruleDocumentId, ruleOf, rulesCollection } from "./rulesProjection.ts";

interface Cached<A> {
  readonly value: A;
  /** When the load began (ms): the value holds every change made before then. */
  readonly loadedAt: number;
  readonly expiresAt: number;
}

export interface RuleLookup {
  /**
   * The enabled rules of the tenant that apply to this device's readings from `source`, as
   * they stood at `recordedAt` (epoch ms, the newest reading's) or later.
   */
  readonly rulesFor: (
    tenantId: string,
    deviceId: string,
    source: "recorded" | "enriched",
    recordedAt: number,
  ) => Effect.Effect<ReadonlyArray<RuleDocument>, unknown, ReadModelStore>;
  /** One rule as `rm_rules` holds it now (no cache), if it exists. */
  readonly currentRule: (
    tenantId: string,
    ruleId: string,
  ) => Effect.Effect<RuleDocument | undefined, unknown, ReadModelStore>;
}

const maxCachedTenants = 10_000;

/** How far the clock of the process that recorded a reading may run ahead of this one's. */
export const clockSkewMs = 1_000;

const remember = <A>(cache: Map<string, Cached<A>>, key: string, entry: Cached<A>) => {
  if (cache.size >= maxCachedTenants) cache.clear();
  const current = cache.get(key);
  if (current === undefined || current.loadedAt <= entry.loadedAt) cache.set(key, entry);
};

const cachedLoad = <A>(
  cache: Map<string, Cached<A>>,
  key: string,
  ttlMs: number,
  load: Effect.Effect<A, unknown, ReadModelStore>,
) =>
  Effect.gen(function* () {
    const hit = cache.get(key);
    if (hit !== undefined && hit.expiresAt > Date.now()) return hit.value;
    const loadedAt = Date.now();
    const value = yield* load;
    remember(cache, key, { value, loadedAt, expiresAt: loadedAt + ttlMs });
    return value;
  });

type Store = typeof ReadModelStore.Service;

/** Enabled rules of every tenant waiting, in one query per round; tenants without rules are absent. */
const enabledRulesOfTenants = (store: Store) =>
  makeBatchedLoads((tenantIds: ReadonlyArray<string>) =>
    Effect.map(
      store.find(rulesCollection, { tenantId: { $in: [...tenantIds] }, enabled: true }, { sort: { ruleId: 1 } }),
      (views) => {
        const byTenant = new Map<string, Array<RuleDocument>>();
        for (const rule of views as unknown as ReadonlyArray<RuleDocument>) {
          byTenant.set(rule.tenantId, [...(byTenant.get(rule.tenantId) ?? []), rule]);
        }
        return byTenant as ReadonlyMap<string, ReadonlyArray<RuleDocument>>;
      },
    ),
  );

/**
 * @example
 * const lookup = makeRuleLookup({ ttlMs: 2_000 }, types);
 * const rules = yield* lookup.rulesFor("acme", "pump-1", "recorded", Date.parse(event.recordedAt));
 */
export const makeRuleLookup = (options: { readonly ttlMs: number }, types: ConditionTypes): RuleLookup => {
  const rulesByTenant = new Map<string, Cached<ReadonlyArray<RuleDocument>>>();
  const tagsByDevice = new Map<string, Cached<ReadonlyArray<string>>>();

  const ruleLoadsOf = perStore(enabledRulesOfTenants);

  const enabledRules = (tenantId: string, recordedAt: number) =>
    Effect.gen(function* () {
      const hit = rulesByTenant.get(tenantId);
      const askedAt = Date.now();
      if (hit !== undefined && hit.expiresAt > askedAt && hit.loadedAt > recordedAt + clockSkewMs) return hit.value;
      const store = yield* ReadModelStore;
      // Answered by a query that began after this call: it holds every rule made before now.
      const value = (yield* ruleLoadsOf(store).load(tenantId)) ?? [];
      remember(rulesByTenant, tenantId, { value, loadedAt: askedAt, expiresAt: askedAt + options.ttlMs });
      return value;
    });

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
    rulesFor: (tenantId, deviceId, source, recordedAt) =>
      Effect.gen(function* () {
        const rules = (yield* enabledRules(tenantId, recordedAt)).filter((rule) => {
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
