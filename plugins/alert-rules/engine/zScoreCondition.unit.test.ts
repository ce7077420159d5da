/**
 * The example extension as given/when/then: registered through the public extension
 * point, decoded with its registry, and evaluated like any built-in condition.
 */
import { assert, describe, it } from "@effect/vitest";
import { makeConditionRegistry } from "./conditionRegistry.ts";
import { evaluate, initialState } from "./evaluateRule.ts";
import { zScoreCondition } from "./extensions/zScoreCondition.ts";
import { ruleNeedsTicks } from "./rulePlan.ts";
import { reading, readingAt, replay, ruleWith, sec, series, timeline } from "./testSupport/ruleScenario.ts";

const registry = makeConditionRegistry([zScoreCondition]);
const unusual = ruleWith(
  { condition: { type: "zScore", value: reading("vibration"), window: { readings: 6 }, limit: 3 } },
  registry,
);
const steady = [
  [1, 10],
  [2, 11],
  [3, 9],
  [4, 10],
  [5, 11],
] as const;

describe("zScore extension", () => {
  it("given a steady vibration, when a spike arrives and then a normal value, then it raises on the spike and resolves", () => {
    const { transitions } = replay(unusual, series("vibration", [...steady, [6, 25], [7, 10]]), { registry });
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@6", "AlertResolved@7"]);
    const raised = transitions[0];
    assert.isTrue(raised?.type === "AlertRaised" && typeof raised.value === "number" && raised.value > 3);
  });

  it("given fewer than 3 earlier samples, when a spike arrives, then it cannot tell yet", () => {
    const { transitions } = replay(
      unusual,
      series("vibration", [
        [1, 10],
        [2, 11],
        [3, 90],
      ]),
      { registry },
    );
    assert.deepStrictEqual(transitions, []);
  });

  it("given a rule using it, when evaluated without its registry, then it fails loudly as a wiring bug", () => {
    assert.throws(
      () => evaluate(unusual, initialState(unusual), readingAt(sec(1), { vibration: 1 })),
      /not registered/,
    );
  });

  it("given rules, when planned, then those with a condition that changes with time or a forSeconds need ticks", () => {
    const timed = ruleWith(
      { condition: { type: "zScore", value: reading("vibration"), window: { seconds: 60 }, limit: 3 } },
      registry,
    );
    assert.isTrue(ruleNeedsTicks(timed, registry));
    assert.isTrue(ruleNeedsTicks(unusual, registry));
    const plain = ruleWith({ condition: { type: "threshold", value: reading("vibration"), op: ">", threshold: 3 } });
    assert.isFalse(ruleNeedsTicks(plain));
    assert.isTrue(ruleNeedsTicks({ ...plain, forSeconds: 30 }));
  });
});
