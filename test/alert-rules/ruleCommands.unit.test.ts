/**
 * Rules as events: create, update with an expected version, enable, disable, delete, and
 * the read model and queries that follow.
 */
import { assert, describe, it } from "@effect/vitest";
import { Effect } from "effect";
import { createRule, deleteRule, setRuleEnabled, updateRule } from "../../plugins/alert-rules/ruleCommands.ts";
import { ruleStreamId } from "../../plugins/alert-rules/ruleEvents.ts";
import { getRule, listRules } from "../../plugins/alert-rules/ruleQueries.ts";
import { alertRulesTestLayer, streamEvents, tenantId, thresholdRule, types } from "./alertRulesTestLayer.ts";

describe("rule commands", () => {
  it.effect(
    "given a new rule, when created, updated, disabled, enabled and deleted, then each is an event and the view follows",
    () =>
      Effect.gen(function* () {
        const created = yield* createRule(tenantId, thresholdRule("hot", 30), types);
        assert.deepStrictEqual([created.version, created.enabled], [1, true]);
        const updated = yield* updateRule(tenantId, "hot", { ...thresholdRule("hot", 40), name: "hotter" }, 1, types);
        assert.strictEqual(updated.version, 2);
        yield* setRuleEnabled(tenantId, "hot", false, 2);
        const disabled = yield* getRule(tenantId, "hot");
        assert.deepStrictEqual([disabled.version, disabled.enabled, disabled.name], [3, false, "hotter"]);
        yield* setRuleEnabled(tenantId, "hot", false, undefined); // already disabled: nothing appended
        yield* setRuleEnabled(tenantId, "hot", true, undefined);
        assert.strictEqual((yield* listRules(tenantId, { enabled: "true" })).rules.length, 1);
        yield* deleteRule(tenantId, "hot", 4);
        assert.strictEqual((yield* Effect.flip(getRule(tenantId, "hot")))._tag, "NotFound");
        const types_ = (yield* streamEvents(ruleStreamId(tenantId, "hot"))).map((e) => e.type);
        assert.deepStrictEqual(types_, ["RuleCreated", "RuleUpdated", "RuleDisabled", "RuleEnabled", "RuleDeleted"]);
      }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect("given a rule at version 2, when updated with If-Match 1, then it is a conflict and nothing changes", () =>
    Effect.gen(function* () {
      yield* createRule(tenantId, thresholdRule("hot", 30), types);
      yield* updateRule(tenantId, "hot", thresholdRule("hot", 35), undefined, types);
      const stale = yield* Effect.flip(updateRule(tenantId, "hot", thresholdRule("hot", 99), 1, types));
      assert.strictEqual(stale._tag, "ConcurrencyError");
      const again = yield* Effect.flip(createRule(tenantId, thresholdRule("hot", 1), types));
      assert.strictEqual(again._tag, "Conflict");
      assert.strictEqual((yield* getRule(tenantId, "hot")).version, 2);
    }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect("given an invalid rule, then every problem is reported with its field", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        createRule(
          tenantId,
          { ...thresholdRule("bad", 30), severity: "apocalyptic", forSecond: 3, scope: { tag: "" } },
          types,
        ),
      );
      assert.strictEqual(error._tag, "ValidationFailed");
      const fields = error._tag === "ValidationFailed" ? error.errors.map((issue) => issue.field) : [];
      assert.includeMembers(fields, ["severity", "forSecond"]);
    }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect("given rules of two tenants, then each lists only its own, a page at a time", () =>
    Effect.gen(function* () {
      for (const id of ["a", "b", "c"]) yield* createRule(tenantId, thresholdRule(id, 30), types);
      yield* createRule("other", thresholdRule("z", 30), types);
      const first = yield* listRules(tenantId, { limit: "2" });
      assert.deepStrictEqual(
        first.rules.map((r) => r.ruleId),
        ["a", "b"],
      );
      const second = yield* listRules(tenantId, { limit: "2", cursor: first.nextCursor ?? "" });
      assert.deepStrictEqual(
        second.rules.map((r) => r.ruleId),
        ["c"],
      );
      assert.strictEqual(second.nextCursor, null);
    }).pipe(Effect.provide(alertRulesTestLayer())),
  );
});
