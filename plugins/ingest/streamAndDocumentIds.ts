/**
 * Where a device's facts and views live. Every id starts with the tenant, so a query built
 * from a credential's tenant can never reach another tenant's documents. Device ids
 * cannot contain "|", so `<tenantId>|<deviceId>|...` parses unambiguously from the right.
 */
import type { StreamId } from "../../core/index.ts";

/**
 * The stream of a device's readings. Not the devices plugin's `device-<tenantId>-<deviceId>`:
 * its commands fold their whole stream before each decision and append at its head, so
 * readings there would make every PATCH read the device's entire telemetry history and
 * race with ingest. Kafka keys by stream id and topics are per family, so the device's
 * lifecycle events and readings were never ordered with each other anyway.
 * Tenant ids have no "-" (devices plugin), so the id splits unambiguously.
 *
 * @example
 * telemetryStreamId("acme", "pump-1") // "telemetry-acme-pump-1"
 */
export const telemetryStreamId = (tenantId: string, deviceId: string): StreamId =>
  `telemetry-${tenantId}-${deviceId}` as StreamId;

/**
 * The device's document in `rm_latest` (and, by the devices plugin's convention, in `rm_devices`).
 *
 * @example
 * deviceDocumentId("acme", "pump-1") // "acme|pump-1"
 */
export const deviceDocumentId = (tenantId: string, deviceId: string): string => `${tenantId}|${deviceId}`;

const hourMs = 3_600_000;

/**
 * The start of the UTC hour holding `tsMs`.
 *
 * @example
 * hourStartOf(Date.parse("2025-03-01T10:59:59.999Z")) // Date.parse("2025-03-01T10:00:00.000Z")
 */
export const hourStartOf = (tsMs: number): number => Math.floor(tsMs / hourMs) * hourMs;

/** One hour in milliseconds: the width of a `readings` bucket. */
export const bucketWidthMs = hourMs;

/**
 * The `rm_readings` bucket holding the device's samples of one UTC hour.
 *
 * @example
 * readingsBucketId("acme", "pump-1", Date.parse("2025-03-01T10:15:00Z")) // "acme|pump-1|2025-03-01T10:00:00.000Z"
 */
export const readingsBucketId = (tenantId: string, deviceId: string, tsMs: number): string =>
  `${tenantId}|${deviceId}|${new Date(hourStartOf(tsMs)).toISOString()}`;
