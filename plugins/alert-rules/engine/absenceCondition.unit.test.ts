/**
 * Absence as given/when/then with TestClock: no reading of a key for T fires from ticks
 * alone, at exactly the instant the silence reaches T, and the next reading resolves it.
 */
import { assert, describe, it } from "@effect/vitest";
import { Effect } from "effect";
import { TestClock } from "effect/testing";
import { replay, ruleWith, sec, series, tickAt, timeline } from "./testSupport/ruleScenario.ts";
import { simulatedDevice } from "./testSupport/simulatedDevice.ts";

const silentHeartbeat = ruleWith({ condition: { type: "absence", key: "heartbeat", seconds: 60 } });

describe("absence", () => {
  it.effect(
    "given a heartbeat, when the device goes silent, then the ticker raises at exactly 60 s and the next heartbeat resolves",
    () =>
      Effect.gen(function* () {
        const device = yield* simulatedDevice(silentHeartbeat);
        yield* device.send({ heartbeat: 1 });
        yield* device.startTicker(7_000);
        yield* TestClock.adjust("59 seconds");
        assert.deepStrictEqual(yield* device.transitions, []);
        yield* TestClock.adjust("66 seconds");
        const raised = (yield* device.transitions)[0];
        assert.deepInclude(raised, { type: "AlertRaised", at: sec(60), causeEventId: null, value: 60 });
        yield* device.send({ heartbeat: 1 });
        assert.deepStrictEqual(timeline(yield* device.transitions), ["AlertRaised:major@60", "AlertResolved@125"]);
      }),
  );

  it.effect(
    "given other keys keep arriving, when the heartbeat never comes, then silence counts from the first reading",
    () =>
      Effect.gen(function* () {
        const device = yield* simulatedDevice(silentHeartbeat);
        yield* TestClock.adjust("5 seconds");
        for (let index = 0; index < 10; index++) {
          yield* device.send({ temp: 20 });
          yield* TestClock.adjust("10 seconds");
        }
        assert.deepStrictEqual(timeline(yield* device.transitions), ["AlertRaised:major@65"]);
      }),
  );

  it("given a silence, when ticks come before the deadline, then nothing fires; at the deadline, it fires at the deadline", () => {
    const { transitions } = replay(silentHeartbeat, [
      ...series("heartbeat", [[10, 1]]),
      tickAt(sec(30)),
      tickAt(sec(69.999)),
      tickAt(sec(70)),
      tickAt(sec(500)),
    ]);
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@70"]);
  });

  it("given no tick, when the next heartbeat arrives late, then the alert still shows the silence it covered", () => {
    const { transitions } = replay(
      silentHeartbeat,
      series("heartbeat", [
        [0, 1],
        [200, 1],
      ]),
    );
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@60", "AlertResolved@200"]);
    assert.deepInclude(transitions[1], { durationMs: sec(140) });
  });

  it.effect(
    "given absence for 60 s held for 30 s more, when silent, then ticks make it pending at 60 s and raise it at 90 s",
    () =>
      Effect.gen(function* () {
        const device = yield* simulatedDevice(
          ruleWith({ condition: { type: "absence", key: "heartbeat", seconds: 60 }, forSeconds: 30 }),
        );
        yield* device.send({ heartbeat: 1 });
        yield* device.startTicker(5_000);
        yield* TestClock.adjust("2 minutes");
        assert.deepStrictEqual(timeline(yield* device.transitions), ["AlertPending@60", "AlertRaised:major@90"]);
      }),
  );

  it("given a device never seen, when ticked, then nothing happens (a state starts with its first reading)", () => {
    const { transitions, state } = replay(silentHeartbeat, [tickAt(sec(1000))]);
    assert.deepStrictEqual(transitions, []);
    assert.isUndefined(state.clock);
  });
});
