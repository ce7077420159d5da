/**
 * The pure parts of enriching one reading: whether a source's trigger matches it, and
 * the TelemetryEnriched payload from what each source did.
 */
import type { TelemetryPayload } from "../ingest/index.ts";
import type { Trigger } from "./sourceSettings.ts";
import type {
  EnrichmentStatus,
  EnrichmentValue,
  SourceOutcome,
  TelemetryEnrichedPayload,
} from "./TelemetryEnriched.ts";

/**
 * Whether a source applies to a reading: the device is named (by id or one of its tags)
 * or no device is named; and the reading carries one of `valueKeys`, or none is named.
 *
 * @example
 * triggerMatches({ deviceTags: ["outdoor"], valueKeys: ["temp"] }, "pump-1", ["outdoor"], { temp: 21 }) // true
 */
export const triggerMatches = (
  trigger: Trigger,
  deviceId: string,
  tags: ReadonlyArray<string>,
  values: Readonly<Record<string, unknown>>,
): boolean => {
  const ids = trigger.deviceIds ?? [];
  const wantedTags = trigger.deviceTags ?? [];
  const deviceNamed =
    (ids.length === 0 && wantedTags.length === 0) ||
    ids.includes(deviceId) ||
    tags.some((tag) => wantedTags.includes(tag));
  const keys = trigger.valueKeys ?? [];
  return deviceNamed && (keys.length === 0 || keys.some((key) => Object.hasOwn(values, key)));
};

/** One source's result for the reading, with the values its mapping produced. */
export type SourceResult = Omit<SourceOutcome, "keys"> & {
  readonly values: Readonly<Record<string, EnrichmentValue>>;
};

/**
 * Merges the sources' values (in source id order: the first source to fill a key keeps
 * it) and sums up their statuses.
 *
 * @example
 * buildEnrichedPayload(reading.payload, reading.id, [weatherResult], new Date().toISOString())
 * // { ..., enrichment: { outside_temp: 12.5 }, enrichmentStatus: "complete", sources: [...] }
 */
export const buildEnrichedPayload = (
  reading: TelemetryPayload,
  sourceEventId: string,
  results: ReadonlyArray<SourceResult>,
  fetchedAt: string,
): TelemetryEnrichedPayload => {
  const enrichment: Record<string, EnrichmentValue> = {};
  const sources: Array<SourceOutcome> = [];
  for (const result of [...results].sort((a, b) => (a.sourceId < b.sourceId ? -1 : 1))) {
    const { values, ...outcome } = result;
    const keys = Object.keys(values).filter((key) => !Object.hasOwn(enrichment, key));
    for (const key of keys) enrichment[key] = values[key] as EnrichmentValue;
    sources.push({ ...outcome, keys });
  }
  const ok = sources.filter((source) => source.status === "ok").length;
  const enrichmentStatus: EnrichmentStatus = ok === sources.length ? "complete" : ok === 0 ? "unavailable" : "partial";
  return {
    deviceId: reading.deviceId,
    ts: reading.ts,
    values: reading.values,
    ...(reading.metadata === undefined ? {} : { metadata: reading.metadata }),
    enrichment,
    enrichmentStatus,
    sources,
    fetchedAt,
    sourceEventId,
  };
};
