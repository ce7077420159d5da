/**
 * and / or / not as given/when/then, including "cannot tell" (a value never seen): it
 * never raises, never clears, and `not` keeps it unknown rather than turning it true.
 */
import { assert, describe, it } from "@effect/vitest";
import { enrichment, reading, readingAt, replay, ruleWith, sec, tickAt, timeline } from "./testSupport/ruleScenario.ts";

const hot = { type: "threshold", value: reading("temp"), op: ">", threshold: 30 };
const humid = { type: "threshold", value: reading("humidity"), op: ">", threshold: 80 };
const doorClosed = { type: "threshold", value: reading("door"), op: "==", threshold: "closed" };

describe("and / or / not", () => {
  it("given hot and humid, when only one holds and then both, then it raises on both and resolves when one stops", () => {
    const rule = ruleWith({ condition: { type: "and", conditions: [hot, humid] } });
    const { transitions } = replay(rule, [
      readingAt(sec(1), { temp: 35, humidity: 50 }),
      readingAt(sec(2), { humidity: 85 }),
      readingAt(sec(3), { temp: 25 }),
    ]);
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@2", "AlertResolved@3"]);
  });

  it("given hot or humid, when one holds, then it raises; when neither, then it resolves", () => {
    const rule = ruleWith({ condition: { type: "or", conditions: [hot, humid] } });
    const { transitions } = replay(rule, [
      readingAt(sec(1), { temp: 20, humidity: 50 }),
      readingAt(sec(2), { humidity: 90 }),
      readingAt(sec(3), { temp: 40, humidity: 50 }),
      readingAt(sec(4), { temp: 20 }),
    ]);
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@2", "AlertResolved@4"]);
  });

  it("given not door closed, when the door opens and closes, then it raises and resolves", () => {
    const rule = ruleWith({ condition: { type: "not", condition: doorClosed } });
    const { transitions } = replay(rule, [
      readingAt(sec(1), { door: "closed" }),
      readingAt(sec(2), { door: "open" }),
      readingAt(sec(3), { door: "closed" }),
    ]);
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@2", "AlertResolved@3"]);
  });

  it("given a part that cannot tell, when evaluated, then and/not stay unknown while or follows a part that holds", () => {
    const unknown = { type: "compare", left: reading("temp"), op: ">", right: enrichment("outside_temp") };
    const hotReading = [readingAt(sec(1), { temp: 35 })];
    assert.deepStrictEqual(
      replay(ruleWith({ condition: { type: "and", conditions: [hot, unknown] } }), hotReading).transitions,
      [],
    );
    assert.deepStrictEqual(
      replay(ruleWith({ condition: { type: "not", condition: unknown } }), hotReading).transitions,
      [],
    );
    const either = ruleWith({ condition: { type: "or", conditions: [unknown, hot] } });
    assert.deepStrictEqual(timeline(replay(either, hotReading).transitions), ["AlertRaised:major@1"]);
  });

  it("given an absence inside an and, when the device goes silent while powered, then a tick raises the combination", () => {
    const rule = ruleWith({
      condition: {
        type: "and",
        conditions: [
          { type: "absence", key: "flow", seconds: 30 },
          { type: "threshold", value: reading("power"), op: "==", threshold: "on" },
        ],
      },
    });
    const { transitions } = replay(rule, [readingAt(sec(0), { flow: 3, power: "on" }), tickAt(sec(45))]);
    assert.deepStrictEqual(timeline(transitions), ["AlertRaised:major@30"]);
  });

  it("given an and, when it raises, then its value is the first condition's", () => {
    const rule = ruleWith({ condition: { type: "and", conditions: [hot, humid] } });
    const { transitions } = replay(rule, [readingAt(sec(1), { temp: 35, humidity: 95 })]);
    assert.deepInclude(transitions[0], { type: "AlertRaised", value: 35 });
  });
});
