/**
 * The rule cache: reused for readings recorded well before it was loaded, loaded again for
 * newer ones (so a rule created just before a reading applies to it), one query for all
 * the lookups waiting at once.
 */
import { assert, describe, it } from "@effect/vitest";
import { Effect } from "effect";
import { ReadModelStore } from "../../core/index.ts";
import { clockSkewMs, makeRuleLookup } from "../../plugins/alert-rules/ruleLookup.ts";
import { rulesCollection } from "../../plugins/alert-rules/rulesProjection.ts";
import { alertRulesTestLayer, givenRule, tenantId, thresholdRule, types } from "./alertRulesTestLayer.ts";

describe("rule lookup", () => {
  it.effect("given a cached rule list, then only readings recorded after it was loaded make it load again", () =>
    Effect.gen(function* () {
      const store = yield* ReadModelStore;
      const queries: Array<unknown> = [];
      const counting = ReadModelStore.of({
        ...store,
        find: (collection, query, options) =>
          Effect.suspend(() => {
            if (collection === rulesCollection) queries.push(query);
            return store.find(collection, query, options);
          }),
      });
      const lookup = makeRuleLookup({ ttlMs: 60_000 }, types);
      const rulesFor = (recordedAt: number) =>
        lookup.rulesFor(tenantId, "pump-1", "recorded", recordedAt).pipe(
          Effect.map((rules) => rules.map((rule) => rule.ruleId)),
          Effect.provideService(ReadModelStore, counting),
        );
      yield* givenRule(thresholdRule("first", 30));
      const backlog = Date.now() - 10_000;

      assert.deepStrictEqual(yield* rulesFor(backlog), ["first"]);
      assert.deepStrictEqual(yield* rulesFor(backlog), ["first"]);
      assert.strictEqual(queries.length, 1);

      yield* givenRule(thresholdRule("second", 30));
      // Recorded after the list was loaded (within the clock skew): the new rule must apply.
      assert.deepStrictEqual(yield* rulesFor(Date.now()), ["first", "second"]);
      assert.strictEqual(queries.length, 2);

      const fresh = Date.now();
      const answers = yield* Effect.all([rulesFor(fresh), rulesFor(fresh), rulesFor(fresh)], {
        concurrency: "unbounded",
      });
      assert.deepStrictEqual(answers, [
        ["first", "second"],
        ["first", "second"],
        ["first", "second"],
      ]);
      assert.strictEqual(queries.length, 3);
      assert.deepStrictEqual(yield* rulesFor(fresh - clockSkewMs - 5_000), ["first", "second"]);
      assert.strictEqual(queries.length, 3);
    }).pipe(Effect.provide(alertRulesTestLayer())),
  );
});
