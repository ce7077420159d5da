/**
 * One page of a device's readings from the hour buckets of `rm_readings`. Buckets are
 * fetched by id, a few at a time, from the start of the range (or the cursor) until the
 * page is full or the range ends; a page reads at most `maxBucketsPerPage` buckets and
 * then hands back a cursor, so a year-long range costs many cheap pages, not one scan.
 * The device's first and last reading times (from `rm_latest`) skip the empty hours.
 */
import { Effect, Option } from "effect";
import { ReadModelStore } from "../../core/index.ts";
import type { IngestLimits } from "./ingestLimits.ts";
import type { ReadingValue } from "./readingSchema.ts";
import { readingsBucketOf } from "./readingsBucketForm.ts";
import { type ReadingSample, readingsProjection, sortsBefore } from "./readingsProjection.ts";
import { encodeReadingsCursor, type ReadingsQuery } from "./readingsQuery.ts";
import { fromStoredRecord, toStoredKey } from "./storedKeys.ts";
import { bucketWidthMs, hourStartOf, readingsBucketId } from "./streamAndDocumentIds.ts";

export type ReadingItem =
  | { readonly ts: string; readonly value: ReadingValue }
  | { readonly ts: string; readonly values: Readonly<Record<string, ReadingValue>> };

export interface ReadingsPage {
  readonly readings: ReadonlyArray<ReadingItem>;
  readonly nextCursor: string | null;
  /** Samples the read buckets refused because they were full (see readingsProjection). */
  readonly droppedSamples: number;
}

/** The span of the device's reading times (epoch ms), from its `latest` document. */
export interface ReadingSpan {
  readonly firstMs: number;
  readonly lastMs: number;
}

// Buckets fetched concurrently per round: enough to hide latency, few enough to stop soon.
const bucketsPerRound = 8;

const itemOf = (sample: ReadingSample, storedKey: string | undefined): ReadingItem => {
  const ts = new Date(sample.ts).toISOString();
  return storedKey === undefined
    ? { ts, values: fromStoredRecord(sample.values) }
    : { ts, value: sample.values[storedKey] as ReadingValue };
};

/**
 * @example
 * const page = yield* readingsPage("acme", "pump-1", query, { firstMs, lastMs }, defaultIngestLimits);
 */
export const readingsPage = Effect.fn("ingest.readingsPage")(function* (
  tenantId: string,
  deviceId: string,
  query: ReadingsQuery,
  span: ReadingSpan,
  limits: Pick<IngestLimits, "maxBucketsPerPage">,
) {
  const store = yield* ReadModelStore;
  const storedKey = query.key === undefined ? undefined : toStoredKey(query.key);
  const endMs = Math.min(query.toMs, hourStartOf(span.lastMs) + bucketWidthMs);
  let hour = hourStartOf(Math.max(query.resumeAtMs ?? query.fromMs, query.fromMs, span.firstMs));
  let bucketsRead = 0;
  let droppedSamples = 0;
  // One sample beyond the page tells whether another page exists.
  const found: Array<ReadingSample> = [];
  while (hour < endMs && found.length <= query.limit && bucketsRead < limits.maxBucketsPerPage) {
    const round = Math.min(
      bucketsPerRound,
      limits.maxBucketsPerPage - bucketsRead,
      Math.ceil((endMs - hour) / bucketWidthMs),
    );
    const hours = Array.from({ length: round }, (_, i) => hour + i * bucketWidthMs);
    const buckets = yield* Effect.forEach(
      hours,
      (start) =>
        store
          .get(readingsProjection.collection, readingsBucketId(tenantId, deviceId, start))
          .pipe(Effect.map((stored) => readingsBucketOf(Option.getOrUndefined(stored)))),
      { concurrency: bucketsPerRound },
    );
    for (const bucket of buckets) {
      droppedSamples += bucket?.droppedSamples ?? 0;
      for (const sample of bucket?.samples ?? []) {
        if (found.length > query.limit) break;
        if (sample.ts < query.fromMs || sample.ts >= query.toMs) continue;
        if (query.after !== undefined && sortsBefore(sample, query.after.ts, query.after.id)) continue;
        if (query.after !== undefined && sample.ts === query.after.ts && sample.id === query.after.id) continue;
        if (storedKey !== undefined && !Object.hasOwn(sample.values, storedKey)) continue;
        found.push(sample);
      }
    }
    hour += round * bucketWidthMs;
    bucketsRead += round;
  }
  const page = found.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor =
    found.length > query.limit && last !== undefined
      ? encodeReadingsCursor(query, hourStartOf(last.ts), { ts: last.ts, id: last.id })
      : hour < endMs
        ? encodeReadingsCursor(query, hour, undefined)
        : null;
  return {
    readings: page.map((sample) => itemOf(sample, storedKey)),
    nextCursor,
    droppedSamples,
  } satisfies ReadingsPage as ReadingsPage;
});
