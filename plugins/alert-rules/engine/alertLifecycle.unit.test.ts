/**
 * The alert lifecycle as given/when/then: hysteresis with a separate clear condition,
 * escalation on a second threshold, one open alert per (rule, device), the peak, and
 * redelivery.
 */
import { assert, describe, it } from "@effect/vitest";
import { evaluate } from "./evaluateRule.ts";
import { reading, readingAt, replay, ruleWith, sec, series, timeline } from "./testSupport/ruleScenario.ts";

const temp = reading("temp");
const above = (threshold: number) => ({ type: "threshold", value: temp, op: ">", threshold });
const below = (threshold: number) => ({ type: "threshold", value: temp, op: "<", threshold });

describe("hysteresis", () => {
  const rule = ruleWith({ condition: above(30), clear: below(25) });

  it("given raise above 30 and clear below 25, when temp hovers between, then the alert stays open until below 25", () => {
    const { transitions } = replay(
      rule,
      series("temp", [
        [1, 31],
        [2, 28],
        [3, 31],
        [4, 26],
        [5, 24.9],
        [6, 28],
        [7, 30.5],
      ]),
    );
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@1", "AlertResolved@5", "AlertRaised:major@7"]);
  });

  it("given no clear condition, when the condition stops holding, then the alert resolves at once", () => {
    const { transitions } = replay(
      ruleWith({ condition: above(30) }),
      series("temp", [
        [1, 31],
        [2, 28],
      ]),
    );
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@1", "AlertResolved@2"]);
  });
});

describe("escalation", () => {
  const rule = ruleWith({
    condition: above(30),
    clear: below(25),
    severity: "minor",
    escalation: { severity: "critical", condition: above(50) },
  });

  it("given an open minor alert, when temp crosses 50, then it escalates once to critical and resolves as one alert", () => {
    const { transitions } = replay(
      rule,
      series("temp", [
        [1, 35],
        [2, 55],
        [3, 60],
        [4, 40],
        [5, 20],
      ]),
    );
    assert.deepStrictEqual(timeline(transitions), [
      "AlertRaised:minor@1",
      "AlertEscalated:critical@2",
      "AlertResolved@5",
    ]);
    assert.deepInclude(transitions[1], { from: "minor", to: "critical", value: 55 });
    assert.deepInclude(transitions[2], { peak: 60, peakAt: sec(3) });
  });

  it("given the second threshold already crossed, when the alert is raised, then it is raised critical at once", () => {
    const { transitions } = replay(
      rule,
      series("temp", [
        [1, 70],
        [2, 20],
      ]),
    );
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:critical@1", "AlertResolved@2"]);
  });
});

describe("one open alert per (rule, device)", () => {
  it("given an open alert, when more matching readings arrive, then no second alert is raised and the peak follows", () => {
    const rule = ruleWith({ condition: above(30) });
    const { transitions, state } = replay(
      rule,
      series("temp", [
        [1, 31],
        [2, 45],
        [3, 33],
        [4, 38],
      ]),
    );
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@1"]);
    assert.deepInclude(state.open, { peak: 45, peakAt: sec(2), raisedAt: sec(1), severity: "major" });
  });

  it("given a low alert, when it resolves, then its peak is the lowest value seen", () => {
    const { transitions } = replay(
      ruleWith({ condition: below(0) }),
      series("temp", [
        [1, -1],
        [2, -7],
        [3, -3],
        [4, 2],
      ]),
    );
    assert.deepInclude(transitions[1], { type: "AlertResolved", peak: -7, peakAt: sec(2), durationMs: sec(3) });
  });

  it("given alerts raised and resolved at one same instant, when raised again, then each gets its own id", () => {
    const rule = ruleWith({ condition: above(30) });
    const { transitions } = replay(rule, [
      readingAt(sec(1), { temp: 35 }, { eventId: "a" }),
      readingAt(sec(1), { temp: 20 }, { eventId: "b" }),
      readingAt(sec(1), { temp: 35 }, { eventId: "c" }),
    ]);
    const ids = transitions.filter((transition) => transition.type === "AlertRaised").map((raised) => raised.alertId);
    assert.deepStrictEqual(ids, ["rule-1:pump-1:1000", "rule-1:pump-1:1000#2"]);
  });
});

describe("redelivery", () => {
  it("given a reading just evaluated, when it is delivered again, then nothing changes", () => {
    const rule = ruleWith({ condition: above(30) });
    const first = readingAt(sec(1), { temp: 35 });
    const { state } = replay(rule, [first]);
    assert.deepStrictEqual(evaluate(rule, state, first), { state, transitions: [] });
  });

  it("given a state of one device, when a reading of another device arrives, then it is refused as a wiring bug", () => {
    const rule = ruleWith({ condition: above(30) });
    const { state } = replay(rule, [readingAt(sec(1), { temp: 35 })]);
    assert.throws(
      () => evaluate(rule, state, readingAt(sec(2), { temp: 35 }, { deviceId: "pump-2" })),
      /device pump-1/,
    );
  });
});
