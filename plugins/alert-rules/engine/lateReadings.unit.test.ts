/**
 * Late and out-of-order readings as given/when/then. Within the tolerance (default 60 s
 * behind the clock) a reading joins the windows in device-time order and the rule is
 * evaluated at the clock; beyond it, the reading is ignored and counted.
 */
import { assert, describe, it } from "@effect/vitest";
import type { EngineInput } from "./evaluateRule.ts";
import { reading, readingAt, replay, ruleWith, sec, timeline } from "./testSupport/ruleScenario.ts";

const temp = reading("temp");
const maxOverMinute = ruleWith({
  condition: { type: "aggregate", value: temp, fn: "max", window: { seconds: 60 }, op: ">", threshold: 50 },
});
const hot = ruleWith({ condition: { type: "threshold", value: temp, op: ">", threshold: 50 } });

describe("late readings", () => {
  it("given the clock at 30 s, when a reading of 10 s arrives, then it joins the window and the alert is stamped at the clock", () => {
    const { transitions, state } = replay(maxOverMinute, [
      readingAt(sec(0), { temp: 20 }),
      readingAt(sec(30), { temp: 20 }),
      readingAt(sec(10), { temp: 80 }),
    ]);
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@30"]);
    assert.deepStrictEqual(state.tracked[0]?.window, [
      [sec(0), 20],
      [sec(10), 80],
      [sec(30), 20],
    ]);
  });

  it("given the clock at 200 s, when a reading of 100 s arrives, then it is ignored and counted", () => {
    const { transitions, state } = replay(maxOverMinute, [
      readingAt(sec(200), { temp: 20 }),
      readingAt(sec(100), { temp: 80 }),
    ]);
    assert.deepStrictEqual(transitions, []);
    assert.strictEqual(state.ignoredLateReadings, 1);
    assert.deepStrictEqual(state.tracked[0]?.window, [[sec(200), 20]]);
  });

  it("given a newer value, when an older one arrives late, then the latest value stays the newer one", () => {
    const { transitions, state } = replay(hot, [readingAt(sec(30), { temp: 20 }), readingAt(sec(10), { temp: 99 })]);
    assert.deepStrictEqual(transitions, []);
    assert.deepStrictEqual(state.tracked[0]?.latest, [sec(30), 20]);
  });

  it("given a tolerance of 5 s, when a reading 10 s behind arrives, then it is ignored", () => {
    const inputs = [readingAt(sec(30), { temp: 20 }), readingAt(sec(20), { temp: 99 })];
    assert.strictEqual(replay(maxOverMinute, inputs, { lateToleranceMs: 5_000 }).state.ignoredLateReadings, 1);
    assert.strictEqual(replay(maxOverMinute, inputs).state.ignoredLateReadings, 0);
  });

  it("given readings within the tolerance, when they arrive in any order, then the windows end the same", () => {
    const [first, second, third, fourth] = [100, 110, 120, 130].map((seconds, index) =>
      readingAt(sec(seconds), { temp: index }),
    ) as [EngineInput, EngineInput, EngineInput, EngineInput];
    const orders = [
      [first, second, third, fourth],
      [fourth, third, second, first],
      [second, fourth, first, third],
      [third, first, fourth, second],
    ];
    const windows = orders.map((order) => replay(maxOverMinute, order).state.tracked[0]?.window);
    for (const window of windows) assert.deepStrictEqual(window, windows[0]);
  });

  it("given an absence raised, when the missing key arrives late within the tolerance, then the alert resolves at the clock", () => {
    const rule = ruleWith({ condition: { type: "absence", key: "heartbeat", seconds: 60 } });
    const { transitions } = replay(rule, [
      readingAt(sec(0), { heartbeat: 1 }),
      readingAt(sec(100), { temp: 20 }),
      readingAt(sec(50), { heartbeat: 1 }),
    ]);
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@60", "AlertResolved@100"]);
  });
});
