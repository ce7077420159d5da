/**
 * What a tenant can do to its rules. Each command folds the rule's stream (the source of
 * truth: the read model may lag), decides, and appends at the version it read, so two
 * concurrent edits never both win (409). Every stream id is built from the caller's tenant.
 */
import { Effect, Stream } from "effect";
import {
  ConcurrencyError,
  Conflict,
  EventStore,
  NotFound,
  type PendingEvent,
  type TenantId,
} from "../../core/index.ts";
import type { ConditionTypes } from "./conditionTypes.ts";
import type { Rule } from "./engineApi.ts";
import { recordEvents } from "./recordEvents.ts";
import { RuleCreated, RuleDeleted, RuleDisabled, RuleEnabled, RuleUpdated, ruleStreamId } from "./ruleEvents.ts";
import { rulesProjection } from "./rulesProjection.ts";

/** A rule's stream folded: its live definition (none before creation and after deletion). */
export interface RuleStreamState {
  readonly version: number;
  readonly rule: Rule | undefined;
}

/**
 * @example
 * const { version, rule } = yield* loadRule("acme", "hot-pumps");
 */
export const loadRule = Effect.fn("alertRules.loadRule")(function* (tenantId: string, ruleId: string) {
  const store = yield* EventStore;
  const envelopes = yield* Stream.runCollect(store.readStream(ruleStreamId(tenantId, ruleId)));
  let state: RuleStreamState = { version: 0, rule: undefined };
  for (const envelope of envelopes) {
    const version = envelope.streamVersion;
    if (RuleCreated.is(envelope)) {
      const { rule } = (yield* RuleCreated.decode(envelope).pipe(Effect.orDie)).payload;
      state = { version, rule: { ...rule, version } };
    } else if (RuleUpdated.is(envelope)) {
      const { rule } = (yield* RuleUpdated.decode(envelope).pipe(Effect.orDie)).payload;
      state = { version, rule: { ...rule, enabled: state.rule?.enabled ?? rule.enabled, version } };
    } else if (RuleEnabled.is(envelope) || RuleDisabled.is(envelope)) {
      const enabled = RuleEnabled.is(envelope);
      state = { version, rule: state.rule && ({ ...state.rule, enabled, version } as Rule) };
    } else {
      state = { version, rule: RuleDeleted.is(envelope) ? undefined : state.rule };
    }
  }
  return state;
});

const noRule = (ruleId: string) => new NotFound({ detail: `no rule ${ruleId}` });

const requireVersion = (tenantId: string, ruleId: string, state: RuleStreamState, expected: number | undefined) =>
  expected === undefined || expected === state.version
    ? Effect.void
    : Effect.fail(
        new ConcurrencyError({
          streamId: ruleStreamId(tenantId, ruleId),
          expectedVersion: expected,
          actualVersion: state.version,
        }),
      );

/** The rule as the engine's schema decodes it, with the fields the server owns filled in. */
const decodeRule = (
  types: ConditionTypes,
  body: Readonly<Record<string, unknown>>,
  owned: Pick<Rule, "ruleId" | "tenantId" | "version" | "enabled">,
) => types.decodeRule({ ...body, ...owned });

const append = (tenantId: string, ruleId: string, version: number, events: ReadonlyArray<PendingEvent>) =>
  recordEvents(ruleStreamId(tenantId, ruleId), version, events, [rulesProjection]);

/** A rule body as the API takes it: the engine's rule without the fields the server owns. */
export interface RuleBody extends Readonly<Record<string, unknown>> {
  readonly ruleId?: string | undefined;
  readonly enabled?: boolean | undefined;
}

/**
 * Creates a rule (409 when the id is taken). A missing ruleId gets a random one.
 *
 * @example
 * const rule = yield* createRule("acme", { name: "Hot", severity: "major", scope: { allDevices: true }, condition }, types);
 */
export const createRule = Effect.fn("alertRules.createRule")(function* (
  tenantId: string,
  body: RuleBody,
  types: ConditionTypes,
) {
  const ruleId = body.ruleId ?? `r_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const state = yield* loadRule(tenantId, ruleId);
  if (state.rule !== undefined) return yield* new Conflict({ detail: `rule ${ruleId} already exists` });
  const { ruleId: _ruleId, enabled, ...rest } = body;
  const owned = { ruleId, tenantId, version: state.version + 1, enabled: enabled ?? true };
  const rule = yield* decodeRule(types, rest, owned);
  yield* append(tenantId, ruleId, state.version, [RuleCreated.make({ rule }, { tenantId: tenantId as TenantId })]);
  return rule;
});

/**
 * Replaces a rule's definition (its enabled flag stays). `expected` is If-Match.
 *
 * @example
 * const rule = yield* updateRule("acme", "hot-pumps", body, 3, types);
 */
export const updateRule = Effect.fn("alertRules.updateRule")(function* (
  tenantId: string,
  ruleId: string,
  body: RuleBody,
  expected: number | undefined,
  types: ConditionTypes,
) {
  const state = yield* loadRule(tenantId, ruleId);
  if (state.rule === undefined) return yield* noRule(ruleId);
  yield* requireVersion(tenantId, ruleId, state, expected);
  const { ruleId: bodyRuleId, enabled: _enabled, ...rest } = body;
  if (bodyRuleId !== undefined && bodyRuleId !== ruleId) {
    return yield* new Conflict({ detail: `the body names rule ${bodyRuleId}, the path ${ruleId}` });
  }
  const owned = { ruleId, tenantId, version: state.version + 1, enabled: state.rule.enabled };
  const rule = yield* decodeRule(types, rest, owned);
  yield* append(tenantId, ruleId, state.version, [RuleUpdated.make({ rule }, { tenantId: tenantId as TenantId })]);
  return rule;
});

/**
 * Enables or disables a rule; nothing is appended when it already is.
 *
 * @example
 * const rule = yield* setRuleEnabled("acme", "hot-pumps", false, undefined);
 */
export const setRuleEnabled = Effect.fn("alertRules.setRuleEnabled")(function* (
  tenantId: string,
  ruleId: string,
  enabled: boolean,
  expected: number | undefined,
) {
  const state = yield* loadRule(tenantId, ruleId);
  if (state.rule === undefined) return yield* noRule(ruleId);
  yield* requireVersion(tenantId, ruleId, state, expected);
  if (state.rule.enabled === enabled) return state.rule;
  const event = (enabled ? RuleEnabled : RuleDisabled).make({ ruleId }, { tenantId: tenantId as TenantId });
  yield* append(tenantId, ruleId, state.version, [event]);
  return { ...state.rule, enabled, version: state.version + 1 } as Rule;
});

/**
 * Deletes a rule: it stops being evaluated, its open alerts resolve, its history stays.
 *
 * @example
 * yield* deleteRule("acme", "hot-pumps", 4);
 */
export const deleteRule = Effect.fn("alertRules.deleteRule")(function* (
  tenantId: string,
  ruleId: string,
  expected: number | undefined,
) {
  const state = yield* loadRule(tenantId, ruleId);
  if (state.rule === undefined) return yield* noRule(ruleId);
  yield* requireVersion(tenantId, ruleId, state, expected);
  yield* append(tenantId, ruleId, state.version, [RuleDeleted.make({ ruleId }, { tenantId: tenantId as TenantId })]);
});
