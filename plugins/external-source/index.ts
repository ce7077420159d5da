/**
 * The external-source plugin: the Python system's `fetch_external_source` consumer.
 * Tenants define sources over the API (events + `rm_external_sources`); for each
 * TelemetryRecorded the matching sources are fetched — through a cache with coalescing,
 * a circuit breaker, a rate limit, timeouts and retries — and one TelemetryEnriched is
 * appended to the device's enriched stream (flagged `enrichmentStatus: "unavailable"`
 * when no source answered: readings are never held back). `rm_enriched_latest` keeps
 * each device's latest enrichment. Kinds of source are an extension point. See README.md.
 */
import { definePlugin } from "../../core/index.ts";
import { TelemetryRecorded } from "../ingest/index.ts";
import { enrichedLatestProjection } from "./enrichedLatestProjection.ts";
import { enrichmentRoutes } from "./enrichmentRoutes.ts";
import { makeEnricher } from "./enrichReading.ts";
import { externalSourceOperations } from "./externalSourceOperations.ts";
import { httpJsonKind } from "./kinds/httpJsonKind.ts";
import { sunPositionKind } from "./kinds/sunPositionKind.ts";
import { sourceKindExtensionPoint } from "./SourceKind.ts";
import { secretRoutes } from "./secretRoutes.ts";
import { ExternalSourceDefined, ExternalSourceRemoved } from "./sourceEvents.ts";
import { sourceRoutes } from "./sourceRoutes.ts";
import { sourcesProjection } from "./sourcesProjection.ts";
import { TelemetryEnriched } from "./TelemetryEnriched.ts";

export { SourceFetchFailed } from "./Errors.ts";
export {
  type EnrichedLatestDocument,
  type EnrichedValue,
  enrichedLatestCollection,
  enrichedLatestProjection,
  type SourceStatus,
} from "./enrichedLatestProjection.ts";
export { httpJsonKind } from "./kinds/httpJsonKind.ts";
export { sunPosition, sunPositionKind } from "./kinds/sunPositionKind.ts";
export { applyMapping, resolvePointer } from "./responseMapping.ts";
export {
  defineSourceKind,
  type SourceCall,
  type SourceKind,
  type SourceKindDefinition,
  type SourcePlan,
  type SourceReading,
  sourceKindExtensionPoint,
} from "./SourceKind.ts";
export { ExternalSourceDefined, ExternalSourceRemoved, sourceStreamId } from "./sourceEvents.ts";
export { type SourceSettings, sourceDefaults } from "./sourceSettings.ts";
export { type SourceDocument, sourcesCollection, sourcesProjection } from "./sourcesProjection.ts";
export {
  type EnrichmentStatus,
  type EnrichmentValue,
  enrichedStreamId,
  type SourceOutcome,
  TelemetryEnriched,
  type TelemetryEnrichedPayload,
} from "./TelemetryEnriched.ts";
export { expandTemplate, parseTemplate } from "./templates.ts";

/**
 * @example
 * // ANANSKY_PLUGINS=plugins/ingest/index.ts,plugins/devices/index.ts,plugins/external-source/index.ts
 * const loaded = yield* loadPlugins([ingestPlugin, externalSourcePlugin]);
 */
export const externalSourcePlugin = definePlugin({
  id: "external-source",
  dependsOn: ["ingest"],
  register(api) {
    const contributions = api.extensionPoint(sourceKindExtensionPoint);
    const kinds = () => contributions.all().map((contribution) => contribution.value);
    api.extend(sourceKindExtensionPoint, httpJsonKind);
    api.extend(sourceKindExtensionPoint, sunPositionKind);
    api.events(ExternalSourceDefined, ExternalSourceRemoved, TelemetryEnriched);
    api.projection(sourcesProjection);
    api.projection(enrichedLatestProjection);
    const enricher = makeEnricher({ kinds });
    api.onRun(TelemetryRecorded, enricher.enrichRun);
    api.routes((context) => sourceRoutes(context, kinds));
    api.routes((context) => secretRoutes(context));
    api.routes((context) => enrichmentRoutes(context));
    api.openapi(...externalSourceOperations);
  },
});
