/**
 * `forSeconds` and `repeat` as given/when/then. Device time comes from TestClock: a pending
 * alert is raised only once the condition has held for T, at exactly T, by the ticker when
 * no data arrives; it is cancelled when the condition stops holding first.
 */
import { assert, describe, it } from "@effect/vitest";
import { Effect } from "effect";
import { TestClock } from "effect/testing";
import { reading, readingAt, replay, ruleWith, sec, series, tickAt, timeline } from "./testSupport/ruleScenario.ts";
import { simulatedDevice } from "./testSupport/simulatedDevice.ts";

const hot = { type: "threshold", value: reading("temp"), op: ">", threshold: 30 };
const hotForAMinute = ruleWith({ condition: hot, forSeconds: 60 });

describe("for durations", () => {
  it.effect(
    "given temp > 30 for 60 s, when it stays hot with no more data, then it is pending, and raised by a tick at exactly 60 s",
    () =>
      Effect.gen(function* () {
        const device = yield* simulatedDevice(hotForAMinute);
        yield* device.send({ temp: 35 });
        yield* device.startTicker(5_000);
        yield* TestClock.adjust("59 seconds");
        assert.deepStrictEqual(timeline(yield* device.transitions), ["AlertPending@0"]);
        yield* TestClock.adjust("1 second");
        const transitions = yield* device.transitions;
        assert.deepStrictEqual(timeline(transitions), ["AlertPending@0", "AlertRaised:major@60"]);
        assert.deepInclude(transitions[1], { causeEventId: null, value: 35 });
      }),
  );

  it.effect(
    "given a pending alert, when the condition stops holding before 60 s, then it is cancelled and the wait starts over",
    () =>
      Effect.gen(function* () {
        const device = yield* simulatedDevice(hotForAMinute);
        yield* device.startTicker(5_000);
        yield* device.send({ temp: 35 });
        yield* TestClock.adjust("30 seconds");
        yield* device.send({ temp: 25 });
        yield* TestClock.adjust("10 seconds");
        yield* device.send({ temp: 36 });
        yield* TestClock.adjust("59 seconds");
        assert.deepStrictEqual(timeline(yield* device.transitions), [
          "AlertPending@0",
          "AlertPendingCancelled@30",
          "AlertPending@40",
        ]);
        yield* TestClock.adjust("1 second");
        assert.deepStrictEqual((yield* device.transitions).map((transition) => transition.type).slice(3), [
          "AlertRaised",
        ]);
        assert.strictEqual((yield* device.transitions)[3]?.at, sec(100));
      }),
  );

  it.effect(
    "given readings that keep it hot, when they pass the 60 s mark, then it is raised at 60 s, before the reading",
    () =>
      Effect.gen(function* () {
        const device = yield* simulatedDevice(hotForAMinute);
        for (let index = 0; index < 8; index++) {
          yield* device.send({ temp: 35 + index });
          yield* TestClock.adjust("25 seconds");
        }
        const transitions = yield* device.transitions;
        assert.deepStrictEqual(timeline(transitions), ["AlertPending@0", "AlertRaised:major@60"]);
        assert.deepInclude(transitions[1], { value: 37 });
      }),
  );

  it("given any tick schedule, when the same readings arrive, then the transitions are the same", () => {
    const points = [
      [0, 35],
      [50, 36],
      [130, 20],
      [140, 33],
      [400, 20],
    ] as const;
    const readings = series("temp", points);
    const withTicks = (every: number) =>
      points.flatMap(([seconds, temp], index) => {
        const ticks = [];
        for (let now = sec(points[index - 1]?.[0] ?? seconds) + every; now < sec(seconds); now += every) {
          ticks.push(tickAt(now));
        }
        return [...ticks, readingAt(sec(seconds), { temp })];
      });
    const expected = timeline(replay(hotForAMinute, readings).transitions);
    assert.deepStrictEqual(expected, [
      "AlertPending@0",
      "AlertRaised:major@60",
      "AlertResolved@130",
      "AlertPending@140",
      "AlertRaised:major@200",
      "AlertResolved@400",
    ]);
    for (const every of [sec(1), sec(7), sec(59), sec(61)]) {
      assert.deepStrictEqual(timeline(replay(hotForAMinute, withTicks(every)).transitions), expected);
    }
  });
});

describe("repeat counts", () => {
  it("given repeat 3, when a miss breaks the run, then it raises only after 3 consecutive matches", () => {
    const rule = ruleWith({ condition: hot, repeat: 3 });
    const { transitions } = replay(
      rule,
      series("temp", [
        [1, 35],
        [2, 35],
        [3, 25],
        [4, 35],
        [5, 35],
        [6, 35],
        [7, 35],
      ]),
    );
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@6"]);
  });

  it("given repeat 2, when unrelated readings arrive between matches, then they neither count nor break the run", () => {
    const rule = ruleWith({ condition: hot, repeat: 2 });
    const { transitions } = replay(rule, [
      readingAt(sec(1), { temp: 35 }),
      readingAt(sec(2), { humidity: 10 }),
      readingAt(sec(3), { temp: 36 }),
    ]);
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@3"]);
  });

  it("given repeat 2 and 30 s, when the second match arrives, then it starts pending only then", () => {
    const rule = ruleWith({ condition: hot, repeat: 2, forSeconds: 30 });
    const { transitions } = replay(rule, [
      ...series("temp", [
        [0, 35],
        [10, 35],
      ]),
      tickAt(sec(60)),
    ]);
    assert.deepStrictEqual(timeline(transitions), ["AlertPending@10", "AlertRaised:major@40"]);
  });

  it("given an alert raised after repeats, when it resolves, then the count starts over", () => {
    const rule = ruleWith({ condition: hot, repeat: 2 });
    const { transitions } = replay(
      rule,
      series("temp", [
        [1, 35],
        [2, 35],
        [3, 20],
        [4, 35],
        [5, 35],
      ]),
    );
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@2", "AlertResolved@3", "AlertRaised:major@5"]);
  });
});
