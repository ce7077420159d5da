/**
 * Stored readings for a backtest: devices' samples between two instants, streamed from the
 * ingest plugin's `rm_readings` hour buckets in bucket id order, so each device's buckets
 * come oldest first (ids end in the hour). A store read covers as many devices' buckets
 * as 1,000 ids allow (FerretDB 1.x scans the whole collection for every query, so the
 * fewer the better), and only a reply or two of stored buckets is held at a time: memory
 * stays the same for a month of one device or a day of a thousand.
 */
import { Array as Arr, Effect, Result, Stream } from "effect";
import { compareStoredIds, ReadModelStore } from "../../core/index.ts";
import { fromStoredRecord, readingsBucketForm, readingsBucketId, readingsProjection } from "../ingest/index.ts";
import type { ReadingValue } from "./telemetryInputs.ts";

const hourMs = 3_600_000;
/** Buckets per store reply: a bucket of one reading every 2 s is about 200 kB stored. */
const bucketsPerReply = 16;
/**
 * Bucket ids per read (a 31-day range has at most 745 per device): bounds the ids held at
 * once; on FerretDB 1.x each read scans the whole collection, so reads are as large as that allows.
 */
const bucketIdsPerRead = 1_000;

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
  const firstHour = Math.floor(fromMs / hourMs) * hourMs;
  return Array.from({ length: hoursBetween(fromMs, toMs) }, (_, index) =>
    readingsBucketId(tenantId, deviceId, firstHour + index * hourMs),
  );
};

/** The hours [fromMs, toMs) touches: the buckets of one device `bucketIdsBetween` gives. */
const hoursBetween = (fromMs: number, toMs: number): number =>
  Math.max(0, Math.ceil(toMs / hourMs) - Math.floor(fromMs / hourMs));

/** One device's stored hour bucket: its readings in [fromMs, toMs), unpacked as iterated (iterate once). */
export interface StoredBucket {
  readonly deviceId: string;
  readonly bucketId: string;
  readonly readings: Iterable<StoredReading>;
  /** Samples the bucket dropped when full: the history lacks them. */
  readonly droppedSamples: number;
}

function* unpackedReadings(
  deviceId: string,
  document: Readonly<Record<string, unknown>>,
  fromMs: number,
  toMs: number,
): Generator<StoredReading> {
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

/** The buckets of one read's devices in id order, tombstones left out, unpacked as taken. */
const bucketsOfRead = (tenantId: string, deviceIds: ReadonlyArray<string>, fromMs: number, toMs: number) =>
  Stream.unwrap(
    Effect.gen(function* () {
      const store = yield* ReadModelStore;
      const deviceOfBucket = new Map<string, string>();
      for (const deviceId of deviceIds) {
        for (const id of bucketIdsBetween(tenantId, deviceId, fromMs, toMs)) deviceOfBucket.set(id, deviceId);
      }
      const ids = [...deviceOfBucket.keys()];
      return store.streamMany(readingsProjection.collection, ids, { perReply: bucketsPerReply }).pipe(
        Stream.filterMap(([bucketId, document]) => {
          const deviceId = deviceOfBucket.get(bucketId);
          if (deviceId === undefined || document._deleted === true) return Result.failVoid;
          return Result.succeed<StoredBucket>({
            deviceId,
            bucketId,
            readings: unpackedReadings(deviceId, document, fromMs, toMs),
            droppedSamples: typeof document.droppedSamples === "number" ? document.droppedSamples : 0,
          });
        }),
      );
    }),
  );

/**
 * The devices' stored buckets of [fromMs, toMs) in bucket id order (`compareStoredIds`),
 * tombstones left out. The devices come as `devicesInCompletionOrder` gives them: a device
 * has no more buckets once one with an id after its `lastBucketId` has come, or the stream
 * has ended (a device's bucket ids share a prefix no other device's have: device ids
 * cannot hold "|"). Devices are read in that order, as many per read as
 * `bucketIdsPerRead` allows, so the ids in memory stay bounded however many devices a
 * backtest covers.
 *
 * @example
 * const devices = devicesInCompletionOrder("acme", ["pump-1", "pump-2"], to);
 * yield* storedBuckets("acme", devices, from, to).pipe(Stream.runForEach((bucket) => fold(bucket)));
 */
export const storedBuckets = (
  tenantId: string,
  devices: ReadonlyArray<CompletingDevice>,
  fromMs: number,
  toMs: number,
) => {
  const devicesPerRead = Math.max(1, Math.floor(bucketIdsPerRead / Math.max(1, hoursBetween(fromMs, toMs))));
  const reads = Arr.chunksOf(
    devices.map(({ deviceId }) => deviceId),
    devicesPerRead,
  );
  return Stream.fromIterable(reads).pipe(Stream.flatMap((read) => bucketsOfRead(tenantId, read, fromMs, toMs)));
};

/** A device of a backtest and the id of the last bucket it may have in the range. */
export interface CompletingDevice {
  readonly deviceId: string;
  readonly lastBucketId: string;
}

/**
 * The devices in the order the bucket stream completes them: sorted by the id of the last
 * bucket each may have in the range. A device is complete once the stream passes that id.
 *
 * @example
 * devicesInCompletionOrder("acme", ["pump-2", "pump-1"], to) // [{ deviceId: "pump-1", lastBucketId }, { deviceId: "pump-2", ... }]
 */
export const devicesInCompletionOrder = (
  tenantId: string,
  deviceIds: ReadonlyArray<string>,
  toMs: number,
): Array<CompletingDevice> =>
  deviceIds
    .map((deviceId) => ({ deviceId, lastBucketId: readingsBucketId(tenantId, deviceId, toMs - 1) }))
    .sort((a, b) => compareStoredIds(a.lastBucketId, b.lastBucketId));
