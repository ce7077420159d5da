/**
 * The facts about a tenant's external sources, one stream per source
 * (`external-source-<tenantId>-<sourceId>`): defined (created or replaced) and removed.
 * Secrets are not here: events are kept forever and published to Kafka; secrets live in
 * their own collection (secretStore.ts) and sources refer to them by name.
 */
import { Schema } from "effect";
import { defineEvent, type StreamId } from "../../core/index.ts";
import { SourceId, SourceSettings } from "./sourceSettings.ts";

/**
 * A source was created or replaced; `settings` has every default filled in.
 *
 * @example
 * ExternalSourceDefined.make({ sourceId: "weather", settings }, { tenantId })
 */
export const ExternalSourceDefined = defineEvent({
  type: "ExternalSourceDefined",
  family: "external-sources",
  payload: Schema.Struct({ sourceId: SourceId, settings: SourceSettings }),
});

/**
 * @example
 * ExternalSourceRemoved.make({ sourceId: "weather" }, { tenantId })
 */
export const ExternalSourceRemoved = defineEvent({
  type: "ExternalSourceRemoved",
  family: "external-sources",
  payload: Schema.Struct({ sourceId: SourceId }),
});

export const sourceEvents = [ExternalSourceDefined, ExternalSourceRemoved] as const;

/**
 * The stream of one source. Tenant ids have no "-" (devices plugin), so it splits unambiguously.
 *
 * @example
 * sourceStreamId("acme", "weather") // "external-source-acme-weather"
 */
export const sourceStreamId = (tenantId: string, sourceId: string): StreamId =>
  `external-source-${tenantId}-${sourceId}` as StreamId;
