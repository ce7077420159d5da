/**
 * The fact this plugin adds: a reading with outside data. It goes to the device's
 * enriched stream (`enriched-<tenant>-<device>`, family `telemetry`, keyed by that stream
 * so a device's enriched readings keep their order), one per reading that triggered at
 * least one source, with an id derived from the reading's: a redelivered reading appends
 * nothing new. A reading whose sources all failed still gets one, `enrichmentStatus:
 * "unavailable"`, so nothing downstream waits for it.
 *
 * Not the telemetry stream itself: there, every reading would be followed by its enriched
 * copy, so a consumer of only one of the two types would see a gap before each event and
 * read the store to tell a skipped type from a missed reading (a scan of `events` on
 * FerretDB), and enrichment would race ingest for the stream's next version.
 */
import { Schema } from "effect";
import { defineEvent, type StreamId } from "../../core/index.ts";
import { TelemetryPayload } from "../ingest/index.ts";

export const EnrichmentValue = Schema.Union([Schema.Finite, Schema.Boolean, Schema.String]);
export type EnrichmentValue = typeof EnrichmentValue.Type;

export const CircuitState = Schema.Literals(["closed", "open", "half-open"]);
export type CircuitState = typeof CircuitState.Type;

/** What one source did for the reading. */
export const SourceOutcome = Schema.Struct({
  sourceId: Schema.String,
  kind: Schema.String,
  status: Schema.Literals(["ok", "unavailable"]),
  /** miss: fetched for this reading; hit: from the cache; coalesced: shared a fetch in flight. */
  cache: Schema.optionalKey(Schema.Literals(["miss", "hit", "coalesced"])),
  /** When the data was fetched (ISO 8601); older than the reading when it came from the cache. */
  fetchedAt: Schema.optionalKey(Schema.String),
  /** Why the source gave nothing (status unavailable). */
  reason: Schema.optionalKey(Schema.String),
  /** The source's circuit after this call. */
  circuit: CircuitState,
  /** Enrichment keys this source filled in. */
  keys: Schema.Array(Schema.String),
  /** Mapped keys the answer did not have. */
  missing: Schema.optionalKey(Schema.Array(Schema.String)),
});
export type SourceOutcome = typeof SourceOutcome.Type;

export const EnrichmentStatus = Schema.Literals(["complete", "partial", "unavailable"]);
export type EnrichmentStatus = typeof EnrichmentStatus.Type;

export const TelemetryEnrichedPayload = Schema.Struct({
  deviceId: Schema.String,
  /** The reading's time (ISO 8601), also the event's occurredAt. */
  ts: Schema.String,
  values: TelemetryPayload.fields.values,
  metadata: TelemetryPayload.fields.metadata,
  /** Enrichment key → value, from every source that answered (the first source by id wins a shared key). */
  enrichment: Schema.Record(Schema.String, EnrichmentValue),
  /** complete: every triggered source answered; partial: some did; unavailable: none did. */
  enrichmentStatus: EnrichmentStatus,
  sources: Schema.Array(SourceOutcome),
  /** When enrichment finished (ISO 8601). */
  fetchedAt: Schema.String,
  /** The TelemetryRecorded event enriched. */
  sourceEventId: Schema.String,
});
export type TelemetryEnrichedPayload = typeof TelemetryEnrichedPayload.Type;

/**
 * @example
 * const pending = TelemetryEnriched.make(payload, { tenantId, causedBy: reading, idempotencyKey: "external-source/enriched" });
 * // alert rules: api.on(TelemetryEnriched, (event) => ... event.payload.enrichment.outside_temp ...)
 */
export const TelemetryEnriched = defineEvent({
  type: "TelemetryEnriched",
  family: "telemetry",
  payload: TelemetryEnrichedPayload,
});

/**
 * The stream of a device's enriched readings. Tenant ids have no "-", so it splits
 * unambiguously, like the telemetry stream's id.
 *
 * @example
 * enrichedStreamId("acme", "pump-1") // "enriched-acme-pump-1"
 */
export const enrichedStreamId = (tenantId: string, deviceId: string): StreamId =>
  `enriched-${tenantId}-${deviceId}` as StreamId;
