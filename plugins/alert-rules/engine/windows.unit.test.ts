/** Bounded windows: order, what a window holds at an instant, and what pruning keeps. */
import { assert, describe, it } from "@effect/vitest";
import { maxWindowReadings } from "./ruleFields.ts";
import { insertSample, nextWindowExit, pruneSamples, type Sample, samplesInWindow, widenRetention } from "./windows.ts";

describe("windows", () => {
  it("given samples in order, when an older one arrives, then it is inserted in device-time order after equal times", () => {
    const samples: ReadonlyArray<Sample> = [
      [1000, 1],
      [3000, 3],
    ];
    assert.deepStrictEqual(insertSample(samples, [2000, 2]), [
      [1000, 1],
      [2000, 2],
      [3000, 3],
    ]);
    assert.deepStrictEqual(insertSample(samples, [1000, 9]), [
      [1000, 1],
      [1000, 9],
      [3000, 3],
    ]);
    assert.deepStrictEqual(samples, [
      [1000, 1],
      [3000, 3],
    ]);
  });

  it("given a time window, when asked at an instant, then it holds the samples of (now - T, now]", () => {
    const samples: ReadonlyArray<Sample> = [
      [0, 1],
      [41_000, 2],
      [100_000, 3],
    ];
    assert.deepStrictEqual(samplesInWindow(samples, { seconds: 60 }, 100_000), [
      [41_000, 2],
      [100_000, 3],
    ]);
    assert.deepStrictEqual(samplesInWindow(samples, { seconds: 60 }, 99_999), [[41_000, 2]]);
    assert.deepStrictEqual(samplesInWindow(samples, { seconds: 60 }, 101_000), [[100_000, 3]]);
    assert.deepStrictEqual(samplesInWindow(samples, { readings: 2 }, 100_000), [
      [41_000, 2],
      [100_000, 3],
    ]);
    assert.strictEqual(nextWindowExit(samplesInWindow(samples, { seconds: 60 }, 100_000), { seconds: 60 }), 101_000);
    assert.strictEqual(nextWindowExit(samples, { readings: 2 }), undefined);
  });

  it("given a retention, when pruned, then samples stay while inside the time window or among the newest N", () => {
    const samples: ReadonlyArray<Sample> = Array.from({ length: 10 }, (_, index) => [index * 10_000, index] as const);
    assert.strictEqual(pruneSamples(samples, { seconds: 30, readings: 0 }, 90_000).length, 3);
    assert.strictEqual(pruneSamples(samples, { seconds: 30, readings: 5 }, 90_000).length, 5);
    assert.strictEqual(pruneSamples(samples, { seconds: 0, readings: 0 }, 90_000).length, 0);
    assert.strictEqual(pruneSamples(samples, { seconds: 1000, readings: 0 }, 90_000), samples);
  });

  it("given a time window that would hold more than 10,000 samples, when pruned, then only the newest 10,000 stay", () => {
    const samples: ReadonlyArray<Sample> = Array.from(
      { length: maxWindowReadings + 50 },
      (_, index) => [index, index] as const,
    );
    const kept = pruneSamples(samples, { seconds: 3600, readings: 0 }, maxWindowReadings + 50);
    assert.strictEqual(kept.length, maxWindowReadings);
    assert.deepStrictEqual(kept[0], [50, 50]);
  });

  it("given two windows on one value, when widened, then the retention serves both", () => {
    const retention = widenRetention(widenRetention({ seconds: 0, readings: 0 }, { seconds: 60 }), { readings: 10 });
    assert.deepStrictEqual(widenRetention(retention, { seconds: 30 }), { seconds: 60, readings: 10 });
  });
});
