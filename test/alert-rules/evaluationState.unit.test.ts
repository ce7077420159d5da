/**
 * The revision store: one commit per revision, whoever comes second reloads; a stale
 * writer never appends; pending events are appended once however often they are settled.
 */
import { assert, describe, it } from "@effect/vitest";
import { Effect, Option } from "effect";
import type { PendingEvent } from "../../core/index.ts";
import { AlertRaised } from "../../plugins/alert-rules/alertEvents.ts";
import { initialState } from "../../plugins/alert-rules/engineApi.ts";
import {
  commitSnapshot,
  type EvaluationSnapshot,
  loadRuleSnapshots,
  loadSnapshot,
  settlePending,
} from "../../plugins/alert-rules/evaluationState.ts";
import { alertHistory, alertRulesTestLayer, tenantId, thresholdRule } from "./alertRulesTestLayer.ts";

const empty: EvaluationSnapshot = {
  tenantId,
  ruleId: "hot",
  deviceId: "pump-1",
  revision: 0,
  ruleVersion: 1,
  engineState: initialState(thresholdRule("hot", 1) as never),
  positions: [],
  episode: null,
  pending: [],
  documentId: undefined,
  previousDocumentId: undefined,
};

const stateOf = ({ revision: _r, documentId: _d, previousDocumentId: _p, ...state }: EvaluationSnapshot) => state;

const raised = (alertId: string): PendingEvent =>
  AlertRaised.make(
    {
      alertId,
      ruleId: "hot",
      deviceId: "pump-1",
      ruleName: "hot",
      ruleVersion: 1,
      severity: "major",
      at: new Date(0).toISOString(),
      value: 31,
      causeEventId: null,
    },
    { tenantId },
  );

describe("evaluation state revisions", () => {
  it.effect("given two writers of revision 1, then one commits and the other is told it raced", () =>
    Effect.gen(function* () {
      const first = yield* commitSnapshot(empty, { ...stateOf(empty), positions: [{ streamId: "s", version: 1 }] });
      const second = yield* Effect.flip(commitSnapshot(empty, stateOf(empty)));
      assert.strictEqual(first.revision, 1);
      assert.strictEqual(second._tag, "EvaluationRaced");
      const loaded = Option.getOrThrow(yield* loadSnapshot(tenantId, "hot", "pump-1"));
      assert.deepStrictEqual(loaded.positions, [{ streamId: "s", version: 1 }]);
    }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect("given many commits, then only the two newest revisions are kept", () =>
    Effect.gen(function* () {
      let current = empty;
      for (let i = 0; i < 5; i++) current = yield* commitSnapshot(current, stateOf(current));
      const all = yield* loadRuleSnapshots(tenantId, "hot");
      assert.strictEqual(all.length, 1);
      assert.strictEqual(all[0]?.revision, 5);
    }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect(
    "given a writer that slept through two commits, when it commits alert events, then it is refused and appends nothing",
    () =>
      Effect.gen(function* () {
        const r1 = yield* commitSnapshot(empty, stateOf(empty));
        const r2 = yield* commitSnapshot(r1, stateOf(r1));
        yield* commitSnapshot(r2, stateOf(r2)); // frees slot 2 (revision 1's document is deleted)
        const stale = yield* Effect.flip(commitSnapshot(r1, { ...stateOf(r1), pending: [raised("a1")] }));
        assert.strictEqual(stale._tag, "EvaluationRaced");
        assert.strictEqual(Option.getOrThrow(yield* loadSnapshot(tenantId, "hot", "pump-1")).revision, 3);
      }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect(
    "given pending events, when they are settled twice, then the alert stream holds them once and the state none",
    () =>
      Effect.gen(function* () {
        const committed = yield* commitSnapshot(empty, { ...stateOf(empty), pending: [raised("a1")] });
        const settled = yield* settlePending(committed);
        yield* settlePending(committed);
        assert.strictEqual(settled.pending.length, 0);
        assert.deepStrictEqual(
          (yield* alertHistory("hot", "pump-1")).map((e) => e.type),
          ["AlertRaised"],
        );
      }).pipe(Effect.provide(alertRulesTestLayer())),
  );
});
