/**
 * Stored readings for a backtest: devices' samples between two instants, read from the
 * ingest plugin's `rm_readings` hour buckets by bucket id, in (ts, event id) order: the
 * order the buckets keep. The buckets of as many devices as fit one read (a week of one
 * device's hours) come in one query: on FerretDB 1.x every query scans the whole
 * collection, and `rm_readings` is large (a day at a time cost a full scan per 24 buckets,
 * about 1,100 readings/s over a million; a device at a time, 2,400). A read holds the
 * buckets as stored (samples packed in one string); a device's readings are unpacked a
 * bucket at a time as the backtest takes them, so a read's memory is its stored buckets
 * plus one bucket's readings.
 */
import { Effect } from "effect";
import { ReadModelStore } from "../../core/index.ts";
import { fromStoredRecord, readingsBucketForm, readingsBucketId, readingsProjection } from "../ingest/index.ts";
import type { ReadingValue } from "./telemetryInputs.ts";

const hourMs = 3_600_000;
/**
 * Hour buckets per read: a week of one device. Bounds a read's memory (a bucket of one
 * reading every 2 s is about 200 kB stored) and, on FerretDB, the scans: a 31-day backtest
 * reads each device in 5 queries.
 */
const bucketsPerRead = 7 * 24;

/** One stored reading as the engine's backtest takes it. */
export interface StoredReading {
  readonly kind: "reading";
  readonly eventId: string;
  readonly deviceId: string;
  readonly ts: number;
  readonly values: Readonly<Record<string, ReadingValue>>;
  readonly enrichment: Readonly<Record<string, ReadingValue>>;
}

/**
 * The hour bucket ids covering [fromMs, toMs), oldest first.
 *
 * @example
 * bucketIdsBetween("acme", "pump-1", Date.parse("2025-03-01T10:30Z"), Date.parse("2025-03-01T12:00Z")).length // 2
 */
export const bucketIdsBetween = (tenantId: string, deviceId: string, fromMs: number, toMs: number): Array<string> => {
  const ids: Array<string> = [];
  for (let hour = Math.floor(fromMs / hourMs) * hourMs; hour < toMs; hour += hourMs) {
    ids.push(readingsBucketId(tenantId, deviceId, hour));
  }
  return ids;
};

/**
 * One device's stored readings, unpacked a bucket at a time as they are iterated (iterate
 * once), and the samples its buckets dropped when full (missing from the history).
 */
export interface DeviceReadings {
  readonly readings: Iterable<StoredReading>;
  readonly droppedSamples: number;
}

/**
 * The devices that one read covers: as many as `bucketsPerRead` hour buckets of [fromMs, toMs) hold.
 *
 * @example
 * devicesPerRead(from, from + 86_400_000) // 6: a day spans up to 25 hour buckets
 */
export const devicesPerRead = (fromMs: number, toMs: number): number =>
  Math.max(1, Math.floor(bucketsPerRead / Math.max(1, Math.ceil((toMs - fromMs) / hourMs) + 1)));

function* unpackedReadings(
  deviceId: string,
  stored: Array<Readonly<Record<string, unknown>> | undefined>,
  fromMs: number,
  toMs: number,
): Generator<StoredReading> {
  for (const [index, document] of stored.entries()) {
    if (document === undefined) continue;
    // Let go of the packed bucket once unpacked: a read's buckets are most of its memory.
    stored[index] = undefined;
    for (const sample of readingsBucketForm.decode(document).samples) {
      if (sample.ts < fromMs || sample.ts >= toMs) continue;
      yield {
        kind: "reading",
        eventId: sample.id,
        deviceId,
        ts: sample.ts,
        values: fromStoredRecord(sample.values),
        enrichment: {},
      };
    }
  }
}

const readingsOfBuckets = (
  deviceId: string,
  ids: ReadonlyArray<string>,
  loaded: Map<string, Readonly<Record<string, unknown>>>,
  fromMs: number,
  toMs: number,
): DeviceReadings => {
  // Tombstones filtered here; unpacking decodes the rest one bucket at a time. A device's
  // buckets are taken out of the read, which holds each device's once.
  const stored = ids.flatMap((id) => {
    const document = loaded.get(id);
    loaded.delete(id);
    return document === undefined || document._deleted === true ? [] : [document];
  });
  const droppedSamples = stored.reduce(
    (sum, document) => sum + (typeof document.droppedSamples === "number" ? document.droppedSamples : 0),
    0,
  );
  return { readings: unpackedReadings(deviceId, stored, fromMs, toMs), droppedSamples };
};

/** Some devices' stored buckets, as one or more reads loaded them. */
export interface LoadedReadings {
  /**
   * One device's readings in [fromMs, toMs), unpacked as iterated (none for a device not
   * loaded). Ask once per device: the read lets go of a device's buckets as it hands them out.
   */
  readonly readingsOf: (deviceId: string) => DeviceReadings;
}

/**
 * Loads some devices' buckets of [fromMs, toMs) in queries of at most `bucketsPerRead`
 * buckets. All of them are held at once: callers bound memory by asking for
 * `devicesPerRead` devices at a time (one query each).
 *
 * @example
 * const loaded = yield* storedReadings("acme", ["pump-1", "pump-2"], from, to);
 * [...loaded.readingsOf("pump-1").readings]
 */
export const storedReadings = Effect.fn("alertRules.storedReadings")(function* (
  tenantId: string,
  deviceIds: ReadonlyArray<string>,
  fromMs: number,
  toMs: number,
) {
  const store = yield* ReadModelStore;
  const idsByDevice = new Map(
    deviceIds.map((deviceId) => [deviceId, bucketIdsBetween(tenantId, deviceId, fromMs, toMs)]),
  );
  const allIds = [...idsByDevice.values()].flat();
  const loaded = new Map<string, Readonly<Record<string, unknown>>>();
  for (let start = 0; start < allIds.length; start += bucketsPerRead) {
    const chunk = allIds.slice(start, start + bucketsPerRead);
    for (const [id, bucket] of yield* store.loadMany(readingsProjection.collection, chunk)) loaded.set(id, bucket);
  }
  return {
    readingsOf: (deviceId) => readingsOfBuckets(deviceId, idsByDevice.get(deviceId) ?? [], loaded, fromMs, toMs),
  } satisfies LoadedReadings as LoadedReadings;
});
