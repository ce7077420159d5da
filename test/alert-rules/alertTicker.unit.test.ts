/**
 * The timer, with TestClock: an absence rule fires when a device goes silent, a `forSeconds`
 * rule rises when the condition held long enough with no further reading, and a tick and a
 * reading for the same state never both decide.
 */
import { assert, describe, it } from "@effect/vitest";
import { Effect, Fiber } from "effect";
import { TestClock } from "effect/testing";
import { runAlertTicker, tickAlertRules } from "../../plugins/alert-rules/alertTicker.ts";
import { evaluateReading } from "../../plugins/alert-rules/readingEvaluation.ts";
import {
  alertHistory,
  alertRulesTestLayer,
  decodeRecorded,
  givenReading,
  givenRule,
  lookup,
  thresholdRule,
  types,
} from "./alertRulesTestLayer.ts";

const absenceRule = {
  ruleId: "silent",
  name: "no temp for 30 s",
  severity: "warning",
  scope: { allDevices: true },
  condition: { type: "absence", key: "temp", seconds: 30 },
};

describe("the alert ticker", () => {
  it.effect("given an absence rule, when the device goes silent past the limit, then a tick raises it once", () =>
    Effect.gen(function* () {
      yield* givenRule(absenceRule);
      const deps = { lookup: lookup(), types, decode: decodeRecorded };
      const start = 1_000_000;
      yield* TestClock.setTime(start);
      yield* evaluateReading(yield* givenReading("pump-1", start, { temp: 20 }), deps);
      const ticker = yield* Effect.forkChild(runAlertTicker(types, { intervalMs: 5_000, lagMs: 0 }));
      yield* TestClock.adjust("25 seconds");
      assert.deepStrictEqual(yield* alertHistory("silent", "pump-1"), []);
      yield* TestClock.adjust("10 seconds");
      const history = yield* alertHistory("silent", "pump-1");
      assert.deepStrictEqual(
        history.map((e) => e.type),
        ["AlertRaised"],
      );
      // The engine stamps the instant the silence reached its limit, not when the tick noticed.
      assert.strictEqual(history[0]?.payload.at, new Date(start + 30_000).toISOString());
      assert.strictEqual(history[0]?.payload.causeEventId, null);
      yield* TestClock.adjust("1 minute");
      assert.strictEqual((yield* alertHistory("silent", "pump-1")).length, 1);
      yield* Fiber.interrupt(ticker);
      // The device speaks again: the absence alert resolves.
      yield* evaluateReading(yield* givenReading("pump-1", start + 120_000, { temp: 21 }), deps);
      assert.deepStrictEqual(
        (yield* alertHistory("silent", "pump-1")).map((e) => e.type),
        ["AlertRaised", "AlertResolved"],
      );
    }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect(
    "given forSeconds, when the condition keeps holding with no new reading, then pending rises on a tick",
    () =>
      Effect.gen(function* () {
        yield* givenRule(thresholdRule("hot-for", 30, { forSeconds: 20 }));
        const deps = { lookup: lookup(), types, decode: decodeRecorded };
        const start = 5_000_000;
        yield* TestClock.setTime(start);
        yield* evaluateReading(yield* givenReading("pump-1", start, { temp: 40 }), deps);
        assert.deepStrictEqual(
          (yield* alertHistory("hot-for", "pump-1")).map((e) => e.type),
          ["AlertPending"],
        );
        const ticker = yield* Effect.forkChild(runAlertTicker(types, { intervalMs: 1_000, lagMs: 0 }));
        yield* TestClock.adjust("19 seconds");
        assert.strictEqual((yield* alertHistory("hot-for", "pump-1")).length, 1);
        yield* TestClock.adjust("2 seconds");
        const history = yield* alertHistory("hot-for", "pump-1");
        assert.deepStrictEqual(
          history.map((e) => e.type),
          ["AlertPending", "AlertRaised"],
        );
        assert.strictEqual(history[1]?.payload.alertId, history[0]?.payload.alertId);
        assert.strictEqual(history[1]?.payload.at, new Date(start + 20_000).toISOString());
        yield* Fiber.interrupt(ticker);
      }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect("given forSeconds, when the condition stops before the limit, then the pending alert is cancelled", () =>
    Effect.gen(function* () {
      yield* givenRule(thresholdRule("hot-for", 30, { forSeconds: 20 }));
      const deps = { lookup: lookup(), types, decode: decodeRecorded };
      const start = 7_000_000;
      yield* evaluateReading(yield* givenReading("pump-1", start, { temp: 40 }), deps);
      yield* evaluateReading(yield* givenReading("pump-1", start + 5_000, { temp: 20 }), deps);
      const history = yield* alertHistory("hot-for", "pump-1");
      assert.deepStrictEqual(
        history.map((e) => [e.type, e.payload.reason]),
        [
          ["AlertPending", undefined],
          ["AlertResolved", "pendingCancelled"],
        ],
      );
    }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect("given two tickers ticking the same instant, then the alert rises once", () =>
    Effect.gen(function* () {
      yield* givenRule(absenceRule);
      const deps = { lookup: lookup(), types, decode: decodeRecorded };
      yield* evaluateReading(yield* givenReading("pump-1", 0, { temp: 20 }), deps);
      yield* Effect.all([tickAlertRules(60_000, types), tickAlertRules(60_000, types), tickAlertRules(61_000, types)], {
        concurrency: "unbounded",
      });
      assert.deepStrictEqual(
        (yield* alertHistory("silent", "pump-1")).map((e) => e.type),
        ["AlertRaised"],
      );
    }).pipe(Effect.provide(alertRulesTestLayer())),
  );
});
