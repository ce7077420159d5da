/**
 * `enriched_latest` (collection `rm_enriched_latest`): per device, the newest value of
 * each enrichment key and the last outcome of each source, keyed like `rm_latest`
 * (`<tenantId>|<deviceId>`) so the devices plugin can join it the same way. Served by
 * `GET /v1/devices/{deviceId}/enrichment`.
 *
 * Like `rm_latest`, the fold keeps per key the value of the latest reading time (ties go
 * to the event folded), so it is idempotent and independent of arrival order.
 */
import { defineProjection } from "../../core/index.ts";
import { deviceDocumentId } from "../ingest/index.ts";
import { type EnrichmentValue, type SourceOutcome, TelemetryEnriched } from "./TelemetryEnriched.ts";

export interface EnrichedValue {
  readonly value: EnrichmentValue;
  /** The reading's time. */
  readonly ts: string;
  readonly sourceId: string;
  /** When the source's data was fetched. */
  readonly fetchedAt: string;
}

export interface SourceStatus {
  readonly status: SourceOutcome["status"];
  readonly circuit: SourceOutcome["circuit"];
  readonly reason?: string | undefined;
  /** The reading's time. */
  readonly ts: string;
}

export interface EnrichedLatestDocument extends Record<string, unknown> {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly enrichment: Readonly<Record<string, EnrichedValue>>;
  readonly sources: Readonly<Record<string, SourceStatus>>;
  /** The latest reading time enriched (ISO 8601). */
  readonly lastEnrichedAt: string;
}

/** Sources and keys kept per device: a tenant changing its sources forever must not grow a document forever. */
const maxEntries = 100;

const newest = <V extends { readonly ts: string }>(entries: Map<string, V>): Record<string, V> =>
  Object.fromEntries(
    entries.size <= maxEntries
      ? entries
      : [...entries].sort(([, a], [, b]) => Date.parse(b.ts) - Date.parse(a.ts)).slice(0, maxEntries),
  );

const later = (a: string, b: string) => (Date.parse(a) >= Date.parse(b) ? a : b);

/**
 * @example
 * api.projection(enrichedLatestProjection);
 */
export const enrichedLatestProjection = defineProjection({
  name: "enriched_latest",
  version: 1,
  events: [TelemetryEnriched],
  key: (event) => deviceDocumentId(event.tenantId, event.payload.deviceId),
  apply: (doc: EnrichedLatestDocument | undefined, event): EnrichedLatestDocument => {
    const { ts, enrichment, sources, fetchedAt } = event.payload;
    const tsMs = Date.parse(ts);
    const isNewer = (current: { readonly ts: string } | undefined) =>
      current === undefined || Date.parse(current.ts) <= tsMs;
    const values = new Map(Object.entries(doc?.enrichment ?? {}));
    for (const [key, value] of Object.entries(enrichment)) {
      const source = sources.find((outcome) => outcome.keys.includes(key));
      if (!isNewer(values.get(key))) continue;
      values.set(key, { value, ts, sourceId: source?.sourceId ?? "", fetchedAt: source?.fetchedAt ?? fetchedAt });
    }
    const statuses = new Map(Object.entries(doc?.sources ?? {}));
    for (const outcome of sources) {
      if (!isNewer(statuses.get(outcome.sourceId))) continue;
      statuses.set(outcome.sourceId, {
        status: outcome.status,
        circuit: outcome.circuit,
        ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
        ts,
      });
    }
    return {
      tenantId: event.tenantId,
      deviceId: event.payload.deviceId,
      enrichment: newest(values),
      sources: newest(statuses),
      lastEnrichedAt: doc === undefined ? ts : later(doc.lastEnrichedAt, ts),
    };
  },
});

export const enrichedLatestCollection = enrichedLatestProjection.collection;
