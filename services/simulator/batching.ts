/**
 * Turning device readings into requests: which device sends next, how many readings a
 * request carries, their timestamps, and the body in payload version 2 or 1.
 * A device key may only send its own readings, so every batch is one device's.
 */
import type { DeviceReading, ReadingValue } from "./deviceModel.ts";
import type { SilenceSchedule } from "./deviceSilence.ts";

export type PayloadVersion = 1 | 2;

/** The v2 reading shape of the ingest contract (deviceId left to the key). */
export interface ReadingV2 {
  readonly ts: number;
  readonly values: Readonly<Record<string, ReadingValue>>;
}

/** The Python system's flat v1 shape, upcast by the API. */
export type ReadingV1 = { readonly deviceId: string; readonly timestamp: string } & Readonly<
  Record<string, ReadingValue>
>;

/**
 * Round-robin over the devices that are online at the given time.
 *
 * @example
 * const rotation = createDeviceRotation(devices);
 * const device = rotation.next(elapsedMs); // undefined when every device is quiet
 */
export const createDeviceRotation = <D extends { readonly silence: SilenceSchedule }>(devices: ReadonlyArray<D>) => {
  let cursor = 0;
  return {
    next: (elapsedMs: number): D | undefined => {
      for (let tried = 0; tried < devices.length; tried++) {
        const device = devices[cursor];
        cursor = (cursor + 1) % devices.length;
        if (device !== undefined && !device.silence.isSilentAt(elapsedMs)) return device;
      }
      return undefined;
    },
    /** The elapsed time at which the first quiet device comes back. */
    earliestWake: (elapsedMs: number): number =>
      Math.min(...devices.map((device) => device.silence.silentUntil(elapsedMs) ?? elapsedMs)),
  };
};

/**
 * How many readings the next request carries: a full batch, or what is left of --count.
 *
 * @example
 * nextBatchSize(100, 250); // 100
 * nextBatchSize(100, 30);  // 30
 */
export const nextBatchSize = (batchSize: number, remaining: number): number =>
  Math.max(0, Math.min(batchSize, remaining));

/**
 * Timestamps for a batch a device buffered: one nominal interval apart, the last one at
 * `sentAtMs`, and always after the device's previous reading (strictly increasing).
 *
 * @example
 * batchTimestamps({ count: 3, sentAtMs: 10_000, intervalMs: 50, previousTsMs: 0 }); // [9900, 9950, 10000]
 */
export const batchTimestamps = (batch: {
  readonly count: number;
  readonly sentAtMs: number;
  readonly intervalMs: number;
  readonly previousTsMs: number;
}): Array<number> => {
  const timestamps: Array<number> = [];
  let previous = batch.previousTsMs;
  for (let i = 0; i < batch.count; i++) {
    const nominal = Math.round(batch.sentAtMs - (batch.count - 1 - i) * batch.intervalMs);
    previous = Math.max(nominal, previous + 1);
    timestamps.push(previous);
  }
  return timestamps;
};

/**
 * The JSON array a device posts to /v1/telemetry.
 *
 * @example
 * telemetryBody("sim-0001", [{ values: { temperature: 21.5 } }], [1767225600000], 2);
 * // [{ ts: 1767225600000, values: { temperature: 21.5 } }]
 * telemetryBody("sim-0001", [{ values: { temperature: 21.5 } }], [1767225600000], 1);
 * // [{ deviceId: "sim-0001", timestamp: "2026-01-01T00:00:00.000Z", temperature: 21.5 }]
 */
export const telemetryBody = (
  deviceId: string,
  readings: ReadonlyArray<DeviceReading>,
  timestamps: ReadonlyArray<number>,
  payloadVersion: PayloadVersion,
): Array<ReadingV2> | Array<ReadingV1> => {
  const timestampAt = (index: number): number => {
    const ts = timestamps[index];
    if (ts === undefined) throw new RangeError("one timestamp per reading is needed");
    return ts;
  };
  if (payloadVersion === 2) return readings.map((reading, i) => ({ ts: timestampAt(i), values: reading.values }));
  return readings.map((reading, i) => ({
    ...reading.values,
    deviceId,
    timestamp: new Date(timestampAt(i)).toISOString(),
  }));
};
