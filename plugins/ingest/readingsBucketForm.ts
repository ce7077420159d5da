/**
 * How `rm_readings` hour buckets are stored: the samples packed into one JSON string,
 * `samplesJson`, beside the bucket's plain fields. FerretDB on SQLite parses the JSON of
 * every document a query reads (the whole collection unless the filter is a lone `_id`
 * equality, which SQLite tests row by row),
 * at a cost that grows with the number of values in it. Measured on 580 buckets of 1,800 samples: reading one bucket by `_id`
 * took 2.8 s with the samples as an array of objects and 55 ms packed; a read and replace
 * of one bucket, 3 s against 76 ms. Nothing queries inside the samples, so nothing is lost.
 *
 * Buckets written before keep `samples` as an array; they are read as they are and
 * packed the next time a reading lands in them.
 */
import type { StoredForm } from "../../core/index.ts";
import type { ReadingSample, ReadingsBucket } from "./readingsProjection.ts";

const samplesOf = (stored: Readonly<Record<string, unknown>>): ReadonlyArray<ReadingSample> => {
  if (typeof stored.samplesJson === "string") return JSON.parse(stored.samplesJson) as ReadonlyArray<ReadingSample>;
  return Array.isArray(stored.samples) ? (stored.samples as ReadonlyArray<ReadingSample>) : [];
};

/**
 * @example
 * readingsBucketForm.encode(bucket) // { tenantId, deviceId, hour, samplesJson: "[…]", approxBytes, droppedSamples }
 */
export const readingsBucketForm: StoredForm<ReadingsBucket> = {
  encode: ({ samples, ...fields }) => ({ ...fields, samplesJson: JSON.stringify(samples) }),
  decode: (stored) => {
    const { samplesJson: _packed, samples: _legacy, ...fields } = stored;
    return { ...fields, samples: samplesOf(stored) } as ReadingsBucket;
  },
};

/**
 * A bucket as a reader loaded it from `rm_readings`; undefined when absent or deleted.
 *
 * @example
 * const bucket = readingsBucketOf(Option.getOrUndefined(yield* store.get("rm_readings", id)));
 */
export const readingsBucketOf = (stored: Readonly<Record<string, unknown>> | undefined): ReadingsBucket | undefined =>
  stored === undefined || stored._deleted === true ? undefined : readingsBucketForm.decode(stored);
