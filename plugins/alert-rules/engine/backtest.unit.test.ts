/**
 * Backtest as given/when/then, and its promise as a property: over seeded random histories
 * (silences, spikes, late readings), a backtest returns exactly the alerts live evaluation
 * raises from the same readings with a worker's ticks interleaved.
 */
import { assert, describe, it } from "@effect/vitest";
import type { AlertTransition } from "./alertTransition.ts";
import { type BacktestAlert, backtest, startBacktest } from "./backtest.ts";
import { makeConditionRegistry } from "./conditionRegistry.ts";
import { zScoreCondition } from "./extensions/zScoreCondition.ts";
import type { RuleDeviceState } from "./ruleDeviceState.ts";
import { randomReadings, seededRandom, withLiveTicks } from "./testSupport/randomHistory.ts";
import { enrichment, reading, readingAt, replay, ruleWith, sec, tickAt } from "./testSupport/ruleScenario.ts";

const registry = makeConditionRegistry([zScoreCondition]);
const temp = reading("temp");
const above = (threshold: number) => ({ type: "threshold", value: temp, op: ">", threshold });
const rules = {
  hysteresisWithEscalation: ruleWith({
    condition: above(30),
    clear: { type: "threshold", value: temp, op: "<", threshold: 27 },
    forSeconds: 30,
    repeat: 2,
    severity: "minor",
    escalation: { severity: "critical", condition: above(40) },
  }),
  doorSilent: ruleWith({ condition: { type: "absence", key: "door", seconds: 120 }, forSeconds: 60 }),
  hotAverage: ruleWith({
    condition: { type: "aggregate", value: temp, fn: "avg", window: { seconds: 120 }, op: ">", threshold: 30 },
  }),
  fewReadings: ruleWith({
    condition: { type: "aggregate", value: temp, fn: "count", window: { seconds: 60 }, op: "<", threshold: 2 },
  }),
  rising: ruleWith({ condition: { type: "rateOfChange", value: temp, windowSeconds: 60, op: ">", perSecond: 0.2 } }),
  warmerThanOutside: ruleWith({
    condition: {
      type: "and",
      conditions: [
        { type: "compare", left: temp, op: ">", right: enrichment("outside_temp") },
        { type: "not", condition: { type: "range", value: reading("humidity"), mode: "inside", min: 40, max: 60 } },
      ],
    },
  }),
  unusual: ruleWith({ condition: { type: "zScore", value: temp, window: { readings: 20 }, limit: 2.5 } }, registry),
};

/** The oracle: alerts read off live transitions, independently of backtest.ts. */
const alertsOf = (deviceId: string, transitions: ReadonlyArray<AlertTransition>, state: RuleDeviceState) => {
  const alerts = new Map<string, BacktestAlert>();
  for (const transition of transitions) {
    const alert = "alertId" in transition ? alerts.get(transition.alertId) : undefined;
    if (transition.type === "AlertRaised") {
      const { alertId, at, severity, value } = transition;
      alerts.set(alertId, {
        alertId,
        deviceId,
        raisedAt: at,
        resolvedAt: null,
        severity,
        peakValue: value,
        peakAt: at,
      });
    } else if (transition.type === "AlertEscalated" && alert !== undefined) {
      alerts.set(alert.alertId, { ...alert, severity: transition.to });
    } else if (transition.type === "AlertResolved" && alert !== undefined) {
      alerts.set(alert.alertId, {
        ...alert,
        resolvedAt: transition.at,
        peakValue: transition.peak,
        peakAt: transition.peakAt,
      });
    }
  }
  const open = state.open;
  const still = open === undefined ? undefined : alerts.get(open.alertId);
  if (open !== undefined && still !== undefined)
    alerts.set(open.alertId, { ...still, peakValue: open.peak, peakAt: open.peakAt });
  return [...alerts.values()];
};

describe("backtest", () => {
  it("given a recorded history, when backtested, then it returns each alert with when, device and peak", () => {
    const points = [
      [0, 20],
      [10, 35],
      [20, 48],
      [30, 33],
      [60, 45],
      [70, 26],
    ] as const;
    const readings = points.map(([seconds, value]) => readingAt(sec(seconds), { temp: value }));
    // pending at 20 s (second match), raised at 50 s (30 s later), escalated at 60 s, cleared below 27 at 70 s
    assert.deepStrictEqual(backtest(rules.hysteresisWithEscalation, readings), [
      {
        alertId: "rule-1:pump-1:50000",
        deviceId: "pump-1",
        raisedAt: sec(50),
        resolvedAt: sec(70),
        severity: "critical",
        peakValue: 45,
        peakAt: sec(60),
      },
    ]);
  });

  it("given readings of two devices interleaved, when backtested, then each device is evaluated on its own", () => {
    const hot = ruleWith({ condition: above(30) });
    const alerts = backtest(hot, [
      readingAt(sec(1), { temp: 35 }, { deviceId: "a" }),
      readingAt(sec(2), { temp: 20 }, { deviceId: "b" }),
      readingAt(sec(3), { temp: 20 }, { deviceId: "a" }),
      readingAt(sec(4), { temp: 31 }, { deviceId: "b" }),
    ]);
    assert.deepStrictEqual(
      alerts.map((alert) => [alert.deviceId, alert.raisedAt, alert.resolvedAt]),
      [
        ["a", sec(1), sec(3)],
        ["b", sec(4), null],
      ],
    );
  });

  it("given a device that went silent at the end, when backtested until a later instant, then the silence is alerted", () => {
    const silent = ruleWith({ condition: { type: "absence", key: "temp", seconds: 60 } });
    const readings = [readingAt(sec(0), { temp: 20 }), readingAt(sec(30), { temp: 20 })];
    assert.deepStrictEqual(backtest(silent, readings), []);
    assert.deepInclude(backtest(silent, readings, { until: sec(600) })[0], {
      raisedAt: sec(90),
      resolvedAt: null,
      peakValue: 60,
    });
  });

  it("given random histories, when backtested, then the alerts equal live evaluation with ticks, rule by rule", () => {
    for (const [name, rule] of Object.entries(rules)) {
      let alertsSeen = 0;
      for (let seed = 1; seed <= 12; seed++) {
        const random = seededRandom(seed * 7919);
        const readings = randomReadings(random, 300);
        const until = Math.max(...readings.map((input) => input.ts)) + sec(600);
        const live = replay(rule, withLiveTicks(random, readings, until), { registry });
        const readingsOnly = replay(rule, [...readings, tickAt(until)], { registry });
        assert.deepStrictEqual(live.transitions, readingsOnly.transitions, `${name}, seed ${seed}`);
        const expected = alertsOf("pump-1", live.transitions, live.state);
        assert.deepStrictEqual(backtest(rule, readings, { registry, until }), expected, `${name}, seed ${seed}`);
        alertsSeen += expected.length;
      }
      assert.isAbove(alertsSeen, 0, `${name} raised no alert: the property would be vacuous`);
    }
  });

  it("given a history fed in pages, when finished, then it equals the one-shot backtest", () => {
    const readings = randomReadings(seededRandom(3), 500);
    const run = startBacktest(rules.hotAverage, { until: sec(10_000_000_000) });
    for (let start = 0; start < readings.length; start += 64)
      for (const page of readings.slice(start, start + 64)) run.push(page);
    assert.deepStrictEqual(run.finish(), backtest(rules.hotAverage, readings, { until: sec(10_000_000_000) }));
  });
});
