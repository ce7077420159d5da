// The value generator: plausible drift, spikes out of range, seeded determinism, silence.
import { assert, describe, it } from "@effect/vitest";
import { createDeviceModel, type DeviceReading, type NumericMetric, plausibleRanges } from "./deviceModel.ts";
import { createSilenceSchedule } from "./deviceSilence.ts";
import { createSeededRandom } from "./seededRandom.ts";

const readingsOf = (options: { seed: number; deviceIndex?: number; spike?: number; count?: number }) => {
  const model = createDeviceModel({
    seed: options.seed,
    deviceIndex: options.deviceIndex ?? 0,
    spikeProbability: options.spike ?? 0,
    readingIntervalMs: 1000,
  });
  return Array.from({ length: options.count ?? 5000 }, () => model.nextReading());
};

const statuses = ["ok", "degraded", "maintenance", "rebooting"];
const numericMetrics = Object.keys(plausibleRanges) as Array<NumericMetric>;
const isWithin = (metric: NumericMetric, value: unknown): boolean =>
  typeof value === "number" && value >= plausibleRanges[metric].min && value <= plausibleRanges[metric].max;

describe("seededRandom", () => {
  it("repeats its sequence for the same seed parts and differs for others", () => {
    const draw = (...parts: Array<number | string>) => {
      const random = createSeededRandom(...parts);
      return Array.from({ length: 20 }, () => random.next());
    };
    assert.deepStrictEqual(draw(42, "device", 1), draw(42, "device", 1));
    assert.notDeepEqual(draw(42, "device", 1), draw(42, "device", 2));
    assert.isTrue(draw(7).every((value) => value >= 0 && value < 1));
  });

  it("draws standard normals with mean about 0 and sd about 1", () => {
    const random = createSeededRandom(1);
    const samples = Array.from({ length: 20_000 }, () => random.normal());
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    const variance = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / samples.length;
    assert.isBelow(Math.abs(mean), 0.05);
    assert.isBelow(Math.abs(Math.sqrt(variance) - 1), 0.05);
  });
});

describe("device model", () => {
  it("keeps every metric in its plausible range over hours of readings when there are no spikes", () => {
    for (const deviceIndex of [0, 1, 2, 3, 4]) {
      const readings = readingsOf({ seed: 42, deviceIndex, count: 20_000 }); // 20,000 s of virtual time
      const implausible = readings.flatMap(({ values }) => [
        ...numericMetrics.filter((metric) => !isWithin(metric, values[metric])).map((m) => `${m}=${values[m]}`),
        ...(typeof values.door_open === "boolean" ? [] : [`door_open=${values.door_open}`]),
        ...("status" in values && !statuses.includes(String(values.status)) ? [`status=${values.status}`] : []),
      ]);
      assert.deepStrictEqual(implausible, []);
    }
  });

  it("drifts: temperature moves over time but not by leaps between readings", () => {
    const temperatures = readingsOf({ seed: 3, count: 3600 }).map(({ values }) => values.temperature as number);
    const largestStep = Math.max(...temperatures.slice(1).map((t, i) => Math.abs(t - (temperatures[i] ?? t))));
    assert.isBelow(largestStep, 2);
    assert.isAbove(Math.max(...temperatures) - Math.min(...temperatures), 1);
  });

  it("drains the battery slowly and never lets it go up except for a swap to 100", () => {
    const batteries = readingsOf({ seed: 9, count: 3600 }).map(({ values }) => values.battery as number);
    batteries.slice(1).forEach((level, i) => {
      const before = batteries[i] ?? level;
      assert.isTrue(level <= before || level === 100, `${before} -> ${level}`);
    });
    assert.isBelow(batteries.at(-1) ?? 0, batteries[0] ?? 0);
  });

  it("opens the door now and then, and reports a status only occasionally", () => {
    const readings = readingsOf({ seed: 5, count: 20_000 });
    const openShare = readings.filter(({ values }) => values.door_open === true).length / readings.length;
    const statusShare = readings.filter(({ values }) => "status" in values).length / readings.length;
    assert.isAbove(openShare, 0);
    assert.isBelow(openShare, 0.2);
    assert.isAbove(statusShare, 0);
    assert.isBelow(statusShare, 0.1);
  });

  it("puts spikes far outside the plausible range, at about the requested rate", () => {
    const readings = readingsOf({ seed: 11, spike: 0.05, count: 20_000 });
    const spikes = readings.filter(
      (reading): reading is DeviceReading & { spikedMetric: NumericMetric } => reading.spikedMetric !== undefined,
    );
    assert.isAbove(spikes.length, 800);
    assert.isBelow(spikes.length, 1200);
    for (const { values, spikedMetric } of spikes) {
      const value = values[spikedMetric] as number;
      const { min, max } = plausibleRanges[spikedMetric];
      assert.isTrue(value < min - 20 || value > max + 20, `${spikedMetric}=${value}`);
    }
    for (const { values, spikedMetric } of readings) {
      for (const metric of numericMetrics) if (metric !== spikedMetric) assert.isTrue(isWithin(metric, values[metric]));
    }
  });

  it("gives the same readings for the same seed and device, and different ones otherwise", () => {
    assert.deepStrictEqual(readingsOf({ seed: 42, spike: 0.01 }), readingsOf({ seed: 42, spike: 0.01 }));
    assert.notDeepEqual(readingsOf({ seed: 42, count: 10 }), readingsOf({ seed: 43, count: 10 }));
    assert.notDeepEqual(readingsOf({ seed: 42, count: 10 }), readingsOf({ seed: 42, deviceIndex: 1, count: 10 }));
  });

  it("keeps the underlying signal whatever the spike probability", () => {
    const withoutSpikes = readingsOf({ seed: 8, count: 2000 });
    const withSpikes = readingsOf({ seed: 8, spike: 0.1, count: 2000 });
    withSpikes.forEach((reading, i) => {
      if (reading.spikedMetric === undefined) assert.deepStrictEqual(reading.values, withoutSpikes[i]?.values);
    });
  });
});

describe("device silence", () => {
  const schedule = (seed: number, probabilityPerSecond: number) =>
    createSilenceSchedule({ seed, deviceIndex: 0, probabilityPerSecond, minSeconds: 5, maxSeconds: 30 });
  const silentSeconds = (silence: ReturnType<typeof schedule>, seconds: number) =>
    Array.from({ length: seconds }, (_, second) => silence.isSilentAt(second * 1000 + 500));

  it("never goes quiet with probability 0, and starts online whatever the probability", () => {
    assert.isFalse(silentSeconds(schedule(1, 0), 3600).includes(true));
    assert.isFalse(schedule(1, 1).isSilentAt(999));
  });

  it("goes quiet for 5 to 30 s at a time, about as often as asked", () => {
    const silence = schedule(2, 0.02);
    const timeline = silentSeconds(silence, 20_000);
    const periods: Array<number> = [];
    let run = 0;
    for (const quiet of [...timeline, false]) {
      if (quiet) run++;
      else if (run > 0) {
        periods.push(run);
        run = 0;
      }
    }
    // Back-to-back periods merge in the timeline, so only the shortest bound is exact.
    assert.isTrue(periods.every((length) => length >= 5));
    assert.isAtMost(periods.length, silence.periodsStarted());
    // Expected share of quiet time: 17.5 s mean quiet per (50 s online + 17.5 s quiet) ≈ 26%.
    const quietShare = timeline.filter(Boolean).length / timeline.length;
    assert.isAbove(quietShare, 0.18);
    assert.isBelow(quietShare, 0.34);
  });

  it("follows the same schedule for the same seed, however it is sampled", () => {
    const sampledEverySecond = schedule(4, 0.05);
    const timeline = silentSeconds(sampledEverySecond, 300);
    assert.deepStrictEqual(silentSeconds(schedule(4, 0.05), 300), timeline);
    // A jump ahead rolls the skipped seconds in order: same periods, same state.
    const sampledOnce = schedule(4, 0.05);
    assert.strictEqual(sampledOnce.isSilentAt(299_500), timeline.at(-1));
    assert.strictEqual(sampledOnce.periodsStarted(), sampledEverySecond.periodsStarted());
    assert.notDeepEqual(silentSeconds(schedule(5, 0.05), 300), timeline);
  });
});
