/**
 * When a rule is changed, disabled or deleted, its open and pending alerts end
 * (AlertResolved with reason ruleChanged, ruleDisabled or ruleDeleted) at once, also on
 * devices that send nothing more. The states themselves start afresh at their next
 * reading (their rule version no longer matches).
 */

import { Effect, Option } from "effect";
import type { EventEnvelope, TenantId } from "../../core/index.ts";
import type { ResolveReason } from "./alertEvents.ts";
import { closeEpisode, type TransitionContext } from "./alertTransitions.ts";
import { causeDerivedId } from "./causeDerivedId.ts";
import { commitSnapshot, loadRuleSnapshots, loadSnapshot, settlePending } from "./evaluationState.ts";

const reasons: Readonly<Record<string, ResolveReason>> = {
  RuleUpdated: "ruleChanged",
  RuleDisabled: "ruleDisabled",
  RuleDeleted: "ruleDeleted",
};

const closeOne = (event: EventEnvelope, ruleId: string, reason: ResolveReason, deviceId: string) =>
  Effect.gen(function* () {
    const loaded = yield* loadSnapshot(event.tenantId, ruleId, deviceId);
    if (Option.isNone(loaded)) return;
    const snapshot = yield* settlePending(loaded.value);
    if (snapshot.episode === null || snapshot.ruleVersion >= event.streamVersion) return;
    const context: TransitionContext = {
      tenantId: event.tenantId as TenantId,
      ruleId,
      ruleName: "",
      ruleVersion: snapshot.ruleVersion,
      deviceId: snapshot.deviceId,
      causedBy: event,
      eventIdAt: () => causeDerivedId(event, `${ruleId}/${snapshot.deviceId}/close`),
    };
    const at = Date.parse(event.occurredAt) || Date.now();
    const { revision: _r, documentId: _d, previousDocumentId: _p, ...kept } = snapshot;
    const committed = yield* commitSnapshot(snapshot, {
      ...kept,
      episode: null,
      pending: [closeEpisode(snapshot.episode, reason, at, context, 0)],
    });
    yield* settlePending(committed);
  }).pipe(Effect.retry({ times: 8, while: (error) => error._tag === "EvaluationRaced" }));

/**
 * The handler of RuleUpdated, RuleDisabled and RuleDeleted.
 *
 * @example
 * api.on(RuleDisabled, (event) => closeAlertsOfRule(event, event.payload.ruleId));
 */
export const closeAlertsOfRule = Effect.fn("alertRules.closeAlertsOfRule")(function* (
  event: EventEnvelope,
  ruleId: string,
) {
  const reason = reasons[event.type];
  if (reason === undefined) return;
  const snapshots = yield* loadRuleSnapshots(event.tenantId, ruleId);
  yield* Effect.forEach(
    snapshots.filter((snapshot) => snapshot.episode !== null),
    (snapshot) => closeOne(event, ruleId, reason, snapshot.deviceId),
    { discard: true },
  );
});
