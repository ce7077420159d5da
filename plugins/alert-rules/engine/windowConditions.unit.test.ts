/**
 * Rate of change and aggregates as given/when/then: they raise and resolve on the right
 * readings, and a time window also changes when its samples age out, at that exact instant.
 */
import { assert, describe, it } from "@effect/vitest";
import { reading, replay, ruleWith, sec, series, tickAt, timeline } from "./testSupport/ruleScenario.ts";

const temp = reading("temp");
const aggregate = (fn: string, window: object, op: string, threshold: number) =>
  ruleWith({ condition: { type: "aggregate", value: temp, fn, window, op, threshold } });

describe("rate of change", () => {
  const rising = ruleWith({
    condition: { type: "rateOfChange", value: temp, windowSeconds: 60, op: ">", perSecond: 0.1 },
  });

  it("given temp rising over 0.1/s within 60 s, when it jumps and then levels off, then it raises and resolves", () => {
    const { transitions } = replay(
      rising,
      series("temp", [
        [0, 20],
        [30, 21],
        [60, 28],
        [90, 29],
      ]),
    );
    // at 60 s: (28 - 21) / 30 s = 0.23/s (the sample at 0 s left the window); at 90 s: (29 - 28) / 30 s
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@60", "AlertResolved@90"]);
  });

  it("given a single sample in the window, when evaluated, then it cannot tell and raises nothing", () => {
    const { transitions, state } = replay(
      rising,
      series("temp", [
        [0, 20],
        [100, 90],
      ]),
    );
    assert.deepStrictEqual(transitions, []);
    assert.strictEqual(state.consecutiveMatches, 0);
  });

  it("given a falling rate, when it drops faster than -0.5/s, then the value reported is the rate", () => {
    const falling = ruleWith({
      condition: { type: "rateOfChange", value: temp, windowSeconds: 10, op: "<", perSecond: -0.5 },
    });
    const { transitions } = replay(
      falling,
      series("temp", [
        [0, 50],
        [4, 40],
      ]),
    );
    assert.deepInclude(transitions[0], { type: "AlertRaised", value: -2.5 });
  });
});

describe("aggregate over time", () => {
  it("given avg over 60 s > 30, when readings push the average up and then down, then it raises and resolves", () => {
    const { transitions } = replay(
      aggregate("avg", { seconds: 60 }, ">", 30),
      series("temp", [
        [0, 28],
        [20, 32],
        [40, 34],
        [70, 20],
        [90, 20],
      ]),
    );
    // 40 s: avg(28, 32, 34) = 31.3; 70 s: avg(32, 34, 20) = 28.7
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@40", "AlertResolved@70"]);
  });

  it("given count over 30 s >= 5 raised, when the device goes quiet, then a tick resolves it when the first sample ages out", () => {
    const burst = aggregate("count", { seconds: 30 }, ">=", 5);
    const { transitions } = replay(burst, [
      ...series("temp", [
        [0, 1],
        [5, 1],
        [10, 1],
        [15, 1],
        [20, 1],
      ]),
      tickAt(sec(100)),
    ]);
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@20", "AlertResolved@30"]);
  });

  it("given count over 60 s < 2, when readings thin out, then a tick raises it the instant the window drops to one", () => {
    const sparse = aggregate("count", { seconds: 60 }, "<", 2);
    const { transitions } = replay(sparse, [
      ...series("temp", [
        [0, 1],
        [10, 1],
        [20, 1],
        [30, 1],
      ]),
      tickAt(sec(89)),
      tickAt(sec(95)),
    ]);
    // at 0 s the window holds one reading (raised), 10 s resolves; the sample of 20 s leaves at 80 s
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@0", "AlertResolved@10", "AlertRaised:major@80"]);
  });

  it("given max over 60 s with no sample left, when ticked, then it cannot tell and the open alert stays open", () => {
    const { transitions, state } = replay(aggregate("max", { seconds: 60 }, ">", 50), [
      ...series("temp", [[0, 70]]),
      tickAt(sec(600)),
    ]);
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@0"]);
    assert.isDefined(state.open);
  });
});

describe("aggregate over readings", () => {
  it.each([
    ["max", ">", 50, [10, 60, 20, 30, 40], ["AlertRaised:major@2", "AlertResolved@5"]],
    ["min", "<", 0, [5, -1, 3, 4, 6], ["AlertRaised:major@2", "AlertResolved@5"]],
    ["avg", ">=", 20, [10, 30, 20, 10, 10], ["AlertRaised:major@2", "AlertResolved@5"]],
    ["count", "==", 3, [1, 1, 1, 1], ["AlertRaised:major@3"]],
  ] as const)(
    "given %s of the last 3 readings %s %d, when %j arrive, then it raises and resolves on the right ones",
    (fn, op, threshold, values, expected) => {
      const { transitions } = replay(
        aggregate(fn, { readings: 3 }, op, threshold),
        series(
          "temp",
          values.map((value, index) => [index + 1, value] as const),
        ),
      );
      assert.deepStrictEqual(timeline(transitions), [...expected]);
    },
  );
});
