/**
 * `external_sources` (collection `rm_external_sources`): one document per live source,
 * `_id` = `<tenantId>|<sourceId>`, read by the API and by the enricher (which lists a
 * tenant's sources, cached for a second). A removed source's document is deleted.
 */
import { defineProjection } from "../../core/index.ts";
import { ExternalSourceDefined, ExternalSourceRemoved } from "./sourceEvents.ts";
import type { SourceSettings } from "./sourceSettings.ts";

export interface SourceDocument extends SourceSettings, Record<string, unknown> {
  readonly tenantId: string;
  readonly sourceId: string;
  /** The stream version of the last definition: ETag and If-Match of the API, and the guards' reset key. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * @example
 * const source = yield* store.get(sourcesCollection, sourceDocumentId("acme", "weather"));
 */
export const sourceDocumentId = (tenantId: string, sourceId: string): string => `${tenantId}|${sourceId}`;

/**
 * @example
 * api.projection(sourcesProjection);
 */
export const sourcesProjection = defineProjection({
  name: "external_sources",
  version: 1,
  events: [ExternalSourceDefined, ExternalSourceRemoved],
  key: (event) => sourceDocumentId(event.tenantId, event.payload.sourceId),
  apply: (doc: SourceDocument | undefined, event): SourceDocument | undefined =>
    event.type === "ExternalSourceRemoved"
      ? undefined
      : {
          ...event.payload.settings,
          tenantId: event.tenantId,
          sourceId: event.payload.sourceId,
          version: event.streamVersion,
          createdAt: doc?.createdAt ?? event.occurredAt,
          updatedAt: event.occurredAt,
        },
  indexes: [{ keys: { tenantId: 1, sourceId: 1 }, unique: true }],
});

export const sourcesCollection = sourcesProjection.collection;
