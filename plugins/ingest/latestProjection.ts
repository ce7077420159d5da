/**
 * `latest` (collection `rm_latest`): per device, the newest value of each key. The devices
 * plugin reads it for GET /v1/devices/{id}, so its shape is a contract:
 * `_id` = `<tenantId>|<deviceId>`, `{tenantId, deviceId, lastSeenAt, values: {key: {value, ts}}}`
 * plus `firstReadingAt` / `lastReadingAt` (the span of reading times, for range reads).
 * Keys containing "." are stored as "%2E" (see storedKeys.ts).
 *
 * The fold keeps, per key, the value with the greatest reading time, and maxima/minima for
 * the dates: it is idempotent and gives the same document whatever order events arrive in.
 */
import { defineProjection } from "../../core/index.ts";
import { defaultIngestLimits, type IngestLimits } from "./ingestLimits.ts";
import type { ReadingValue } from "./readingSchema.ts";
import { toStoredKey } from "./storedKeys.ts";
import { deviceDocumentId } from "./streamAndDocumentIds.ts";
import { TelemetryRecorded } from "./TelemetryRecorded.ts";

/** A key's newest value and its reading time (ISO 8601). */
export interface LatestValue {
  readonly value: ReadingValue;
  readonly ts: string;
}

export interface LatestDocument extends Record<string, unknown> {
  readonly tenantId: string;
  readonly deviceId: string;
  /** When the platform last recorded a reading of this device (ISO 8601). */
  readonly lastSeenAt: string;
  /** The earliest and latest reading times seen (ISO 8601). */
  readonly firstReadingAt: string;
  readonly lastReadingAt: string;
  /** Stored key ("." as "%2E") to the newest value. */
  readonly values: Readonly<Record<string, LatestValue>>;
}

const later = (a: string, b: string): string => (Date.parse(a) >= Date.parse(b) ? a : b);
const earlier = (a: string, b: string): string => (Date.parse(a) <= Date.parse(b) ? a : b);

/** Keeps the `max` newest keys: a device inventing keys forever must not grow its document forever. */
const newestKeys = (values: Map<string, LatestValue>, max: number): Map<string, LatestValue> =>
  values.size <= max
    ? values
    : new Map([...values].sort(([, a], [, b]) => Date.parse(b.ts) - Date.parse(a.ts)).slice(0, max));

/**
 * The `latest` projection for the given limits (`latestProjection` uses the defaults).
 *
 * @example
 * const small = makeLatestProjection({ ...defaultIngestLimits, maxLatestKeys: 3 });
 */
export const makeLatestProjection = (limits: Pick<IngestLimits, "maxLatestKeys">) =>
  defineProjection({
    name: "latest",
    version: 1,
    events: [TelemetryRecorded],
    // Folding is idempotent and commutative: no gap filling from the store (see defineProjection).
    orderIndependent: true,
    key: (event) => deviceDocumentId(event.tenantId, event.payload.deviceId),
    apply: (doc: LatestDocument | undefined, event): LatestDocument => {
      const { ts } = event.payload;
      const tsMs = Date.parse(ts);
      const values = new Map(Object.entries(doc?.values ?? {}));
      for (const [key, value] of Object.entries(event.payload.values)) {
        const storedKey = toStoredKey(key);
        const current = values.get(storedKey);
        // Ties go to the event being folded, so folding an event twice changes nothing.
        if (current === undefined || Date.parse(current.ts) <= tsMs) values.set(storedKey, { value, ts });
      }
      return {
        tenantId: event.tenantId,
        deviceId: event.payload.deviceId,
        lastSeenAt: doc === undefined ? event.recordedAt : later(doc.lastSeenAt, event.recordedAt),
        firstReadingAt: doc === undefined ? ts : earlier(doc.firstReadingAt, ts),
        lastReadingAt: doc === undefined ? ts : later(doc.lastReadingAt, ts),
        values: Object.fromEntries(newestKeys(values, limits.maxLatestKeys)),
      };
    },
  });

/**
 * @example
 * api.projection(latestProjection);
 */
export const latestProjection = makeLatestProjection(defaultIngestLimits);
