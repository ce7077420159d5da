/**
 * The ingest plugin: devices and gateways POST telemetry (one reading, a batch or NDJSON,
 * payload v2 or the Python system's v1), each valid reading becomes a TelemetryRecorded
 * event, and two read models serve the newest values and time-range reads. See README.md.
 */
import { definePlugin } from "../../core/index.ts";
import { makeDeviceStatusLookup } from "./deviceAccess.ts";
import { makeIdempotentResponses } from "./idempotency.ts";
import { defaultIngestLimits, type IngestLimits } from "./ingestLimits.ts";
import { ingestOperations } from "./ingestOperations.ts";
import { ingestRoutes } from "./ingestRoutes.ts";
import { latestProjection } from "./latestProjection.ts";
import { readingSchemas } from "./readingSchema.ts";
import { readingsProjection } from "./readingsProjection.ts";
import type { IngestDependencies } from "./recordTelemetry.ts";
import { TelemetryRecorded } from "./TelemetryRecorded.ts";
import { makeTokenBucketLimiter } from "./tokenBucket.ts";

export { defaultIngestLimits, type IngestLimits } from "./ingestLimits.ts";
export { type LatestDocument, type LatestValue, latestProjection } from "./latestProjection.ts";
export { readingsBucketForm, readingsBucketOf } from "./readingsBucketForm.ts";
export { type ReadingSample, type ReadingsBucket, readingsProjection } from "./readingsProjection.ts";
export { fromStoredKey, fromStoredRecord, toStoredKey } from "./storedKeys.ts";
export { deviceDocumentId, readingsBucketId, telemetryStreamId } from "./streamAndDocumentIds.ts";
export { TelemetryPayload, TelemetryRecorded } from "./TelemetryRecorded.ts";

/** How long a device's status is cached: the same few seconds as API key lookups. */
const deviceStatusTtlMs = 5_000;

/**
 * The per-process state of the plugin for some limits: one rate limiter, one device-status
 * cache, one idempotent-response store.
 *
 * @example
 * const deps = ingestDependencies({ ...defaultIngestLimits, rateBurst: 10 });
 */
export const ingestDependencies = (limits: IngestLimits): IngestDependencies => ({
  limits,
  schemas: readingSchemas(limits),
  limiter: makeTokenBucketLimiter({ ratePerSecond: limits.ratePerSecond, burst: limits.rateBurst }),
  deviceStatus: makeDeviceStatusLookup({ ttlMs: deviceStatusTtlMs }),
  responses: makeIdempotentResponses({ ttlMs: limits.idempotencyTtlMs }),
});

/**
 * The plugin with the given limits: how config-driven limits will be passed in.
 *
 * @example
 * export const strictIngest = makeIngestPlugin({ ...defaultIngestLimits, rateBurst: 10, ratePerSecond: 1 });
 */
export const makeIngestPlugin = (limits: IngestLimits) =>
  definePlugin({
    id: "ingest",
    register(api) {
      const dependencies = ingestDependencies(limits);
      api.events(TelemetryRecorded);
      api.projection(latestProjection);
      api.projection(readingsProjection);
      api.routes((context) => ingestRoutes(context, dependencies));
      api.openapi(...ingestOperations(limits));
    },
  });

/**
 * @example
 * const loaded = yield* loadPlugins([ingestPlugin, devicesPlugin]);
 */
export const ingestPlugin = makeIngestPlugin(defaultIngestLimits);
