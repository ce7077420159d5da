/**
 * Every limit the ingest plugin enforces, in one place. They are constants for now; each
 * names the environment variable it will be read from once AppConfig carries it.
 */

export interface IngestLimits {
  /** ANANSKY_INGEST_MAX_BODY_BYTES: request body size, counted while the body streams in (413). */
  readonly maxBodyBytes: number;
  /** ANANSKY_INGEST_MAX_READINGS: readings in one request (413). */
  readonly maxReadingsPerRequest: number;
  /** ANANSKY_INGEST_MAX_VALUES: values in one reading (400). */
  readonly maxValuesPerReading: number;
  /** Metadata entries in one reading (400). */
  readonly maxMetadataEntries: number;
  /** ANANSKY_INGEST_MAX_STRING_LENGTH: characters of a string value or metadata value (400). */
  readonly maxStringLength: number;
  /** JSON nesting depth of a body (NDJSON: of a line); legitimate readings need 3 (400). */
  readonly maxJsonDepth: number;
  /** ANANSKY_INGEST_MAX_FUTURE_MS: how far ahead of server time a reading's ts may be (400). */
  readonly maxFutureSkewMs: number;
  /** ANANSKY_INGEST_MAX_AGE_MS: how old a reading's ts may be (400). */
  readonly maxAgeMs: number;
  /** ANANSKY_INGEST_RATE_PER_SECOND: readings per second per device, sustained (429). */
  readonly ratePerSecond: number;
  /** ANANSKY_INGEST_RATE_BURST: readings a device may send at once after being quiet (429). */
  readonly rateBurst: number;
  /** ANANSKY_INGEST_IDEMPOTENCY_TTL_MS: how long a response is replayed for a repeated Idempotency-Key. */
  readonly idempotencyTtlMs: number;
  /** Characters of an Idempotency-Key header (400). */
  readonly maxIdempotencyKeyLength: number;
  /** Distinct value keys the `latest` read model keeps per device (the oldest are dropped). */
  readonly maxLatestKeys: number;
  /** Estimated size of one hour bucket of the `readings` read model (MongoDB caps documents at 16 MiB). */
  readonly maxBucketBytes: number;
  /** ANANSKY_READINGS_MAX_LIMIT: the largest `limit` of GET .../readings. */
  readonly maxReadingsPageSize: number;
  /** The `limit` of GET .../readings when none is given. */
  readonly defaultReadingsPageSize: number;
  /** Hour buckets one GET .../readings page may fetch before it returns a cursor. */
  readonly maxBucketsPerPage: number;
}

/** Value and metadata keys: also what a key may look like in a v1 (flat) payload. */
export const valueKeyPattern = /^[A-Za-z0-9_.-]{1,64}$/;

/** Device ids, as the devices plugin issues them. */
export const deviceIdPattern = /^[A-Za-z0-9._:-]{1,100}$/;

const minute = 60_000;
const hour = 60 * minute;

/**
 * The limits in force.
 *
 * @example
 * const strict: IngestLimits = { ...defaultIngestLimits, maxReadingsPerRequest: 10 };
 */
export const defaultIngestLimits: IngestLimits = {
  maxBodyBytes: 1024 * 1024,
  maxReadingsPerRequest: 1_000,
  maxValuesPerReading: 100,
  maxMetadataEntries: 32,
  maxStringLength: 256,
  maxJsonDepth: 8,
  maxFutureSkewMs: 5 * minute,
  maxAgeMs: 365 * 24 * hour,
  ratePerSecond: 200,
  rateBurst: 2_000,
  idempotencyTtlMs: 24 * hour,
  maxIdempotencyKeyLength: 200,
  maxLatestKeys: 1_000,
  maxBucketBytes: 4 * 1024 * 1024,
  maxReadingsPageSize: 5_000,
  defaultReadingsPageSize: 500,
  maxBucketsPerPage: 168,
};
