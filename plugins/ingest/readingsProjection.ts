/**
 * `readings` (collection `rm_readings`): a device's samples bucketed per UTC hour,
 * `_id` = `<tenantId>|<deviceId>|<hour ISO>`, samples sorted by (ts, event id). A range read
 * fetches the hour buckets of its range by id, with point reads only (FerretDB uses the
 * `_id` index for equality alone). Keys containing "." are stored as "%2E".
 *
 * The fold inserts a sample at its place and skips an event id it already holds: it is
 * idempotent and gives the same bucket whatever order events arrive in. A bucket stops
 * growing near `maxBucketBytes` (MongoDB caps documents at 16 MiB) and counts what it
 * dropped; the events themselves stay in the store. Samples are stored packed into one
 * string (readingsBucketForm.ts): read buckets with `readingsBucketOf`.
 */
import { defineProjection } from "../../core/index.ts";
import { defaultIngestLimits, type IngestLimits } from "./ingestLimits.ts";
import type { ReadingValue } from "./readingSchema.ts";
import { readingsBucketForm } from "./readingsBucketForm.ts";
import { toStoredRecord } from "./storedKeys.ts";
import { hourStartOf, readingsBucketId } from "./streamAndDocumentIds.ts";
import { TelemetryRecorded } from "./TelemetryRecorded.ts";

/** One reading in a bucket: epoch ms, the event id, values under stored keys (metadata is not kept). */
export interface ReadingSample {
  readonly ts: number;
  readonly id: string;
  readonly values: Readonly<Record<string, ReadingValue>>;
}

export interface ReadingsBucket extends Record<string, unknown> {
  readonly tenantId: string;
  readonly deviceId: string;
  /** The bucket's UTC hour (ISO 8601). */
  readonly hour: string;
  readonly samples: ReadonlyArray<ReadingSample>;
  /** Estimated stored size of `samples`. */
  readonly approxBytes: number;
  /** Samples refused because the bucket was full. */
  readonly droppedSamples: number;
}

/**
 * Whether sample `a` sorts before the position (ts, id).
 *
 * @example
 * sortsBefore({ ts: 1, id: "b", values: {} }, 1, "c") // true
 */
export const sortsBefore = (a: ReadingSample, ts: number, id: string): boolean =>
  a.ts < ts || (a.ts === ts && a.id < id);

/**
 * The index of the first sample not sorting before (ts, id).
 *
 * @example
 * insertionIndex(bucket.samples, Date.parse(event.payload.ts), event.id)
 */
export const insertionIndex = (samples: ReadonlyArray<ReadingSample>, ts: number, id: string): number => {
  let low = 0;
  let high = samples.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const sample = samples[middle];
    if (sample !== undefined && sortsBefore(sample, ts, id)) low = middle + 1;
    else high = middle;
  }
  return low;
};

// A rough BSON size: JSON length plus field overhead. Only has to be in the right range.
const approxSampleBytes = (sample: ReadingSample): number => JSON.stringify(sample).length + 24;

/**
 * The `readings` projection for the given limits (`readingsProjection` uses the defaults).
 *
 * @example
 * const tiny = makeReadingsProjection({ maxBucketBytes: 1_000 });
 */
export const makeReadingsProjection = (limits: Pick<IngestLimits, "maxBucketBytes">) =>
  defineProjection({
    name: "readings",
    version: 1,
    events: [TelemetryRecorded],
    // Folding is idempotent and commutative: no gap filling from the store (see defineProjection).
    orderIndependent: true,
    storedForm: readingsBucketForm,
    key: (event) => {
      const tsMs = Date.parse(event.payload.ts);
      return Number.isNaN(tsMs) ? undefined : readingsBucketId(event.tenantId, event.payload.deviceId, tsMs);
    },
    apply: (doc: ReadingsBucket | undefined, event): ReadingsBucket => {
      const ts = Date.parse(event.payload.ts);
      const bucket: ReadingsBucket = doc ?? {
        tenantId: event.tenantId,
        deviceId: event.payload.deviceId,
        hour: new Date(hourStartOf(ts)).toISOString(),
        samples: [],
        approxBytes: 0,
        droppedSamples: 0,
      };
      const at = insertionIndex(bucket.samples, ts, event.id);
      if (bucket.samples[at]?.id === event.id) return bucket;
      const sample: ReadingSample = { ts, id: event.id, values: toStoredRecord(event.payload.values) };
      const size = approxSampleBytes(sample);
      if (bucket.approxBytes + size > limits.maxBucketBytes) {
        return { ...bucket, droppedSamples: bucket.droppedSamples + 1 };
      }
      const samples = [...bucket.samples.slice(0, at), sample, ...bucket.samples.slice(at)];
      return { ...bucket, samples, approxBytes: bucket.approxBytes + size };
    },
  });

/**
 * @example
 * api.projection(readingsProjection);
 */
export const readingsProjection = makeReadingsProjection(defaultIngestLimits);
