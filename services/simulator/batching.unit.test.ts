// Which device sends next, batch sizes, timestamps and the request body in v2 and v1.
import { assert, describe, it } from "@effect/vitest";
import { batchTimestamps, createDeviceRotation, nextBatchSize, telemetryBody } from "./batching.ts";
import type { SilenceSchedule } from "./deviceSilence.ts";

/** A device quiet during the given elapsed-ms windows. */
const device = (name: string, quiet: ReadonlyArray<[number, number]> = []) => {
  const windowAt = (ms: number) => quiet.find(([from, to]) => ms >= from && ms < to);
  const silence: SilenceSchedule = {
    isSilentAt: (ms) => windowAt(ms) !== undefined,
    silentUntil: (ms) => windowAt(ms)?.[1],
    periodsStarted: () => quiet.length,
  };
  return { name, silence };
};

describe("device rotation", () => {
  it("goes round the devices in order", () => {
    const rotation = createDeviceRotation([device("a"), device("b"), device("c")]);
    const order = Array.from({ length: 7 }, () => rotation.next(0)?.name);
    assert.deepStrictEqual(order, ["a", "b", "c", "a", "b", "c", "a"]);
  });

  it("skips quiet devices while they are quiet and takes them back after", () => {
    const rotation = createDeviceRotation([device("a"), device("b", [[0, 1000]]), device("c")]);
    assert.deepStrictEqual(
      Array.from({ length: 4 }, () => rotation.next(500)?.name),
      ["a", "c", "a", "c"],
    );
    assert.deepStrictEqual(
      Array.from({ length: 3 }, () => rotation.next(1000)?.name),
      ["a", "b", "c"],
    );
  });

  it("has no one to offer when all are quiet, and knows when the first comes back", () => {
    const rotation = createDeviceRotation([device("a", [[0, 3000]]), device("b", [[0, 1200]])]);
    assert.isUndefined(rotation.next(100));
    assert.strictEqual(rotation.earliestWake(100), 1200);
  });
});

describe("batch sizes", () => {
  it("sends full batches, then what is left of the count", () => {
    const sizes: Array<number> = [];
    for (let remaining = 250; remaining > 0; remaining -= sizes.at(-1) ?? 0) sizes.push(nextBatchSize(100, remaining));
    assert.deepStrictEqual(sizes, [100, 100, 50]);
    assert.strictEqual(nextBatchSize(100, Infinity), 100);
    assert.strictEqual(nextBatchSize(100, 0), 0);
  });
});

describe("batch timestamps", () => {
  it("spaces a buffered batch one interval apart, ending when it is sent", () => {
    assert.deepStrictEqual(
      batchTimestamps({ count: 3, sentAtMs: 10_000, intervalMs: 50, previousTsMs: 0 }),
      [9900, 9950, 10_000],
    );
  });

  it("never goes back to or before the device's previous reading", () => {
    const timestamps = batchTimestamps({ count: 4, sentAtMs: 10_000, intervalMs: 50, previousTsMs: 9920 });
    assert.deepStrictEqual(timestamps, [9921, 9922, 9950, 10_000]);
  });
});

describe("telemetry body", () => {
  const readings = [
    { values: { temperature: 21.5, door_open: false } },
    { values: { temperature: 21.6, status: "ok" } },
  ];
  const first = Date.UTC(2026, 0, 1);
  const second = first + 1000;
  const timestamps = [first, second];

  it("is a JSON array of v2 readings without deviceId (the key says which device)", () => {
    assert.deepStrictEqual(telemetryBody("sim-0001", readings, timestamps, 2), [
      { ts: first, values: { temperature: 21.5, door_open: false } },
      { ts: second, values: { temperature: 21.6, status: "ok" } },
    ]);
  });

  it("is the flat v1 shape with deviceId and an ISO timestamp for payload version 1", () => {
    assert.deepStrictEqual(telemetryBody("sim-0001", readings, timestamps, 1), [
      { deviceId: "sim-0001", timestamp: "2026-01-01T00:00:00.000Z", temperature: 21.5, door_open: false },
      { deviceId: "sim-0001", timestamp: "2026-01-01T00:00:01.000Z", temperature: 21.6, status: "ok" },
    ]);
  });

  it("needs a timestamp for every reading", () => {
    assert.throws(() => telemetryBody("sim-0001", readings, timestamps.slice(0, 1), 2), RangeError);
  });
});
