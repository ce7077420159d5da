/**
 * evaluate is pure: the same rule, state and input give the same result every time, and
 * the state given is never changed (it is frozen here, so a write would throw).
 */
import { assert, describe, it } from "@effect/vitest";
import { makeConditionRegistry } from "./conditionRegistry.ts";
import { evaluate, initialState } from "./evaluateRule.ts";
import { zScoreCondition } from "./extensions/zScoreCondition.ts";
import { randomReadings, seededRandom, withLiveTicks } from "./testSupport/randomHistory.ts";
import { enrichment, reading, ruleWith, sec } from "./testSupport/ruleScenario.ts";

const registry = makeConditionRegistry([zScoreCondition]);
const temp = reading("temp");
const rule = ruleWith(
  {
    condition: {
      type: "or",
      conditions: [
        { type: "aggregate", value: temp, fn: "max", window: { seconds: 120 }, op: ">", threshold: 35 },
        { type: "absence", key: "door", seconds: 90 },
        { type: "compare", left: temp, op: ">", right: enrichment("outside_temp") },
        { type: "zScore", value: temp, window: { readings: 30 }, limit: 3 },
      ],
    },
    forSeconds: 20,
    escalation: {
      severity: "critical",
      condition: { type: "rateOfChange", value: temp, windowSeconds: 60, op: ">", perSecond: 0.3 },
    },
  },
  registry,
);

const deepFreeze = <T>(value: T): T => {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const nested of Object.values(value)) deepFreeze(nested);
  }
  return value;
};

describe("purity", () => {
  it("given frozen states along random histories, when each input is evaluated twice, then both results are equal", () => {
    deepFreeze(rule);
    for (let seed = 1; seed <= 10; seed++) {
      const random = seededRandom(seed);
      const readings = randomReadings(random, 300);
      let state = deepFreeze(initialState(rule));
      for (const input of withLiveTicks(random, readings, (readings.at(-1)?.ts ?? 0) + sec(600))) {
        const before = JSON.stringify(state);
        const first = evaluate(rule, state, deepFreeze(input), registry);
        const second = evaluate(rule, state, input, registry);
        assert.deepStrictEqual(second, first);
        assert.strictEqual(JSON.stringify(state), before);
        state = deepFreeze(first.state);
      }
    }
  });

  it("given the same history, when replayed from scratch twice, then states and transitions are identical", () => {
    const run = () => {
      let state = initialState(rule);
      const transitions = [];
      for (const input of randomReadings(seededRandom(99), 500)) {
        const result = evaluate(rule, state, input, registry);
        state = result.state;
        transitions.push(...result.transitions);
      }
      return { state, transitions };
    };
    const first = run();
    assert.isAbove(first.transitions.length, 0);
    assert.deepStrictEqual(run(), first);
  });
});
