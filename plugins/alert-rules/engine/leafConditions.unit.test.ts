/**
 * Threshold, range and compare as given/when/then: each raises on the reading that crosses
 * and resolves on the reading that comes back (default clear: the condition is false).
 */
import { assert, describe, it } from "@effect/vitest";
import { enrichment, reading, readingAt, replay, ruleWith, sec, series, timeline } from "./testSupport/ruleScenario.ts";

const temp = reading("temp");

describe("threshold", () => {
  it.each([
    [">", 30, [29, 30, 31, 30], ["AlertRaised:major@3", "AlertResolved@4"]],
    [">=", 30, [29, 30, 31, 29], ["AlertRaised:major@2", "AlertResolved@4"]],
    ["<", 5, [6, 5, 4, 5], ["AlertRaised:major@3", "AlertResolved@4"]],
    ["<=", 5, [6, 5, 4, 6], ["AlertRaised:major@2", "AlertResolved@4"]],
    ["==", 0, [1, 0, 0, 2], ["AlertRaised:major@2", "AlertResolved@4"]],
    ["!=", 0, [0, 3, 3, 0], ["AlertRaised:major@2", "AlertResolved@4"]],
  ] as const)(
    "given temp %s %d, when readings %j arrive, then it raises and resolves on the right ones",
    (op, threshold, values, expected) => {
      const rule = ruleWith({ condition: { type: "threshold", value: temp, op, threshold } });
      const { transitions } = replay(
        rule,
        series(
          "temp",
          values.map((value, index) => [index + 1, value] as const),
        ),
      );
      assert.deepStrictEqual(timeline(transitions), [...expected]);
    },
  );

  it("given a text threshold, when the value becomes equal and then differs, then it raises and resolves", () => {
    const rule = ruleWith({ condition: { type: "threshold", value: reading("door"), op: "==", threshold: "open" } });
    const { transitions } = replay(
      rule,
      series("door", [
        [1, "closed"],
        [2, "open"],
        [3, "closed"],
      ]),
    );
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@2", "AlertResolved@3"]);
  });

  it("given an open alert, when a reading without the key or with a non-number arrives, then nothing changes", () => {
    const rule = ruleWith({ condition: { type: "threshold", value: temp, op: ">", threshold: 30 } });
    const { transitions, state } = replay(rule, [
      readingAt(sec(1), { temp: 35 }),
      readingAt(sec(2), { humidity: 10 }),
      readingAt(sec(3), { temp: "ERR" }),
    ]);
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@1"]);
    assert.isDefined(state.open);
  });

  it("given an enrichment threshold, when enriched readings arrive, then it uses the enrichment value", () => {
    const rule = ruleWith({ condition: { type: "threshold", value: enrichment("aqi"), op: ">", threshold: 100 } });
    const { transitions } = replay(rule, [
      readingAt(sec(1), { temp: 20 }, { enrichment: { aqi: 90 } }),
      readingAt(sec(2), { temp: 20 }, { enrichment: { aqi: 150 } }),
      readingAt(sec(3), { temp: 20 }, { enrichment: { aqi: 80 } }),
    ]);
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@2", "AlertResolved@3"]);
  });
});

describe("range", () => {
  it("given humidity outside [30, 60], when it leaves and comes back, then it raises and resolves at the bounds' edges", () => {
    const rule = ruleWith({
      condition: { type: "range", value: reading("humidity"), mode: "outside", min: 30, max: 60 },
    });
    const { transitions } = replay(
      rule,
      series("humidity", [
        [1, 30],
        [2, 60],
        [3, 61],
        [4, 45],
        [5, 29],
        [6, 30],
      ]),
    );
    assert.deepStrictEqual(timeline(transitions), [
      "AlertRaised:major@3",
      "AlertResolved@4",
      "AlertRaised:major@5",
      "AlertResolved@6",
    ]);
  });

  it("given temp inside [18, 22], when it enters and leaves, then it raises and resolves", () => {
    const rule = ruleWith({ condition: { type: "range", value: temp, mode: "inside", min: 18, max: 22 } });
    const { transitions } = replay(
      rule,
      series("temp", [
        [1, 17.9],
        [2, 18],
        [3, 22],
        [4, 22.1],
      ]),
    );
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@2", "AlertResolved@4"]);
  });

  it("given an alert outside the range, when it resolves, then the peak is the value farthest outside", () => {
    const rule = ruleWith({ condition: { type: "range", value: temp, mode: "outside", min: 0, max: 10 } });
    const { transitions } = replay(
      rule,
      series("temp", [
        [1, 12],
        [2, 25],
        [3, 11],
        [4, 5],
      ]),
    );
    const resolved = transitions.find((transition) => transition.type === "AlertResolved");
    assert.deepInclude(resolved, { peak: 25, peakAt: sec(2), durationMs: sec(3) });
  });
});

describe("compare", () => {
  const rule = ruleWith({ condition: { type: "compare", left: temp, op: ">", right: enrichment("outside_temp") } });

  it("given a reading against an enrichment value, when the reading passes it and falls back, then it raises and resolves", () => {
    const { transitions } = replay(rule, [
      readingAt(sec(1), { temp: 20 }, { enrichment: { outside_temp: 25 } }),
      readingAt(sec(2), { temp: 27 }, { enrichment: { outside_temp: 25 } }),
      readingAt(sec(3), { temp: 27 }, { enrichment: { outside_temp: 30 } }),
    ]);
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@2", "AlertResolved@3"]);
  });

  it("given no enrichment seen yet, when readings arrive, then it cannot tell and raises nothing", () => {
    const { transitions, state } = replay(
      rule,
      series("temp", [
        [1, 50],
        [2, 60],
      ]),
    );
    assert.deepStrictEqual(transitions, []);
    assert.strictEqual(state.consecutiveMatches, 0);
  });

  it("given an enrichment seen earlier, when a reading arrives without one, then the last enrichment value is used", () => {
    const { transitions } = replay(rule, [
      readingAt(sec(1), { temp: 20 }, { enrichment: { outside_temp: 25 } }),
      readingAt(sec(2), { temp: 26 }),
    ]);
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@2"]);
  });
});
