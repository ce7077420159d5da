/**
 * Stored readings for a backtest: a device's samples between two instants, read from the
 * ingest plugin's `rm_readings` hour buckets by bucket id, in (ts, event id) order: the
 * order the buckets keep. All of a device's buckets in the range come in one query: on
 * FerretDB 1.x every query scans the whole collection, and `rm_readings` is large (a day
 * at a time cost a full scan per 24 buckets: about 1,100 readings/s over a million).
 */
import { Effect } from "effect";
import { ReadModelStore } from "../../core/index.ts";
import { fromStoredKey, type ReadingsBucket, readingsBucketId, readingsProjection } from "../ingest/index.ts";
import type { ReadingValue } from "./telemetryInputs.ts";

const hourMs = 3_600_000;
/** The longest backtest range in hours (31 days): one read per device. */
const bucketsPerRead = 31 * 24;

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

const plainValues = (values: Readonly<Record<string, ReadingValue>>) =>
  Object.fromEntries(Object.entries(values).map(([key, value]) => [fromStoredKey(key), value]));

/**
 * A device's stored readings in [fromMs, toMs), with how many samples the buckets had to
 * drop when they were full (those readings are missing from the history).
 *
 * @example
 * const { readings } = yield* storedReadings("acme", "pump-1", from, to);
 */
export const storedReadings = Effect.fn("alertRules.storedReadings")(function* (
  tenantId: string,
  deviceId: string,
  fromMs: number,
  toMs: number,
) {
  const store = yield* ReadModelStore;
  const ids = bucketIdsBetween(tenantId, deviceId, fromMs, toMs);
  const readings: Array<StoredReading> = [];
  let droppedSamples = 0;
  for (let start = 0; start < ids.length; start += bucketsPerRead) {
    const chunk = ids.slice(start, start + bucketsPerRead);
    const loaded = yield* store.loadMany(readingsProjection.collection, chunk);
    for (const id of chunk) {
      const bucket = loaded.get(id) as ReadingsBucket | undefined;
      if (bucket === undefined || bucket._deleted === true) continue;
      droppedSamples += bucket.droppedSamples ?? 0;
      for (const sample of bucket.samples) {
        if (sample.ts < fromMs || sample.ts >= toMs) continue;
        readings.push({
          kind: "reading",
          eventId: sample.id,
          deviceId,
          ts: sample.ts,
          values: plainValues(sample.values),
          enrichment: {},
        });
      }
    }
  }
  return { readings, droppedSamples };
});
