/**
 * Evaluation state stays small and survives restarts: after 100,000 readings its JSON is
 * as small as after 1,000, and a JSON round trip at any point changes nothing downstream.
 */
import { assert, describe, it } from "@effect/vitest";
import { Schema } from "effect";
import type { AlertTransition } from "./alertTransition.ts";
import { makeConditionRegistry } from "./conditionRegistry.ts";
import { type EngineInput, evaluate, initialState } from "./evaluateRule.ts";
import { zScoreCondition } from "./extensions/zScoreCondition.ts";
import { RuleDeviceState } from "./ruleDeviceState.ts";
import { randomReadings, seededRandom, withLiveTicks } from "./testSupport/randomHistory.ts";
import { enrichment, reading, readingAt, ruleWith, sec } from "./testSupport/ruleScenario.ts";

const registry = makeConditionRegistry([zScoreCondition]);
const temp = reading("temp");
const everything = ruleWith(
  {
    condition: {
      type: "or",
      conditions: [
        { type: "aggregate", value: temp, fn: "avg", window: { seconds: 300 }, op: ">", threshold: 40 },
        { type: "aggregate", value: temp, fn: "count", window: { readings: 100 }, op: "<", threshold: 1 },
        { type: "rateOfChange", value: temp, windowSeconds: 60, op: ">", perSecond: 1 },
        { type: "range", value: reading("humidity"), mode: "outside", min: 10, max: 95 },
        { type: "absence", key: "heartbeat", seconds: 30 },
        { type: "compare", left: temp, op: ">", right: enrichment("outside_temp") },
        { type: "zScore", value: temp, window: { readings: 50 }, limit: 4 },
      ],
    },
    clear: { type: "threshold", value: temp, op: "<", threshold: 0 },
    forSeconds: 10,
    repeat: 2,
    escalation: { severity: "critical", condition: { type: "threshold", value: temp, op: ">", threshold: 90 } },
  },
  registry,
);

const jsonSize = (value: unknown) => JSON.stringify(value).length;
/** Real epoch times: every timestamp in the state has as many digits at the end as at the start. */
const epoch = Date.parse("2025-03-01T00:00:00Z");

describe("state size and snapshots", () => {
  it("given a rule with every condition type, when 100,000 readings arrive, then the state stays under 16 KB", () => {
    let state = initialState(everything);
    let sizeAfterThousand = 0;
    let largest = 0;
    for (let index = 0; index < 100_000; index++) {
      const late = index % 97 === 0 ? 20_000 : 0;
      const values = { temp: 20 + (index % 50) / 10, humidity: 50, heartbeat: 1 };
      const input = readingAt(epoch + sec(index) - late, values, { enrichment: { outside_temp: 30 } });
      state = evaluate(everything, state, input, registry).state;
      if (index % 1000 === 0) largest = Math.max(largest, jsonSize(state));
      if (index === 1000) sizeAfterThousand = jsonSize(state);
    }
    assert.isBelow(largest, 16_000);
    assert.isAtMost(jsonSize(state), sizeAfterThousand * 1.1);
    // the 300 s window at one reading a second (a few of which arrived 20 s late)
    const samples = state.tracked.find((value) => value.key === "temp")?.window.length ?? 0;
    assert.isTrue(samples >= 299 && samples <= 301, `${samples} samples`);
  });

  it("given random histories, when the state is snapshotted as JSON and restored at random points, then nothing changes", () => {
    let raised = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const random = seededRandom(seed);
      const readings = randomReadings(random, 400);
      const inputs: ReadonlyArray<EngineInput> = withLiveTicks(random, readings, (readings.at(-1)?.ts ?? 0) + sec(900));
      let uninterrupted = initialState(everything);
      let restored = initialState(everything);
      const expected: Array<AlertTransition> = [];
      const actual: Array<AlertTransition> = [];
      for (const input of inputs) {
        const straight = evaluate(everything, uninterrupted, input, registry);
        uninterrupted = straight.state;
        expected.push(...straight.transitions);
        const snapshot =
          random() < 0.3 ? Schema.decodeUnknownSync(RuleDeviceState)(JSON.parse(JSON.stringify(restored))) : restored;
        const resumed = evaluate(everything, snapshot, input, registry);
        restored = resumed.state;
        actual.push(...resumed.transitions);
      }
      assert.deepStrictEqual(actual, expected, `seed ${seed}`);
      raised += expected.filter((transition) => transition.type === "AlertRaised").length;
      assert.deepStrictEqual(JSON.parse(JSON.stringify(restored)), uninterrupted, `seed ${seed}`);
    }
    assert.isAbove(raised, 20);
  });
});
