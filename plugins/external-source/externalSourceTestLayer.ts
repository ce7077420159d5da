/**
 * The platform services this plugin uses, in memory, for its unit tests: a fresh event
 * store and read-model store per build, an EventWriter that appends directly (no
 * Kafka), a config, and an OutboundHttp answering from a test's handler under a policy.
 */
import { Effect, Layer } from "effect";
import { AppConfig, EventRegistry, EventStore, EventWriter, type PluginServices } from "../../core/index.ts";
import type { OutboundError } from "../../core/outbound/Errors.ts";
import { OutboundHttp, type OutboundRequest, type OutboundResponse } from "../../core/outbound/OutboundHttp.ts";
import {
  defaultOutboundPolicy,
  type OutboundPolicy,
  parseAddressRanges,
  parseHostPatterns,
} from "../../core/outbound/outboundPolicy.ts";
import { layerMemory as readModelsInMemory } from "../../core/projections/ReadModelStoreMemory.ts";
import { layerMemory as eventsInMemory } from "../../core/store/EventStoreMemory.ts";
import { TelemetryRecorded } from "../ingest/index.ts";
import { sourceEvents } from "./sourceEvents.ts";
import { TelemetryEnriched } from "./TelemetryEnriched.ts";

export const testAdminToken = "external-source-unit-admin-token-0123";

/** Allows api.weather.example only; no private address. */
export const testPolicy: OutboundPolicy = {
  ...defaultOutboundPolicy,
  allowHosts: parseHostPatterns(["api.weather.example", "*.example.org"]),
  allowPrivate: parseAddressRanges([]),
};

const writeDirectly = Layer.effect(
  EventWriter,
  Effect.map(EventStore, (store) => EventWriter.of({ append: store.appendToStream, appendBatch: store.appendBatch })),
);

/**
 * @example
 * it.effect("...", () => program.pipe(Effect.provide(externalSourceTestLayer((request) => Effect.succeed(jsonResponse(request.url, {}))))));
 */
export const externalSourceTestLayer = (
  handler: (request: OutboundRequest) => Effect.Effect<OutboundResponse, OutboundError>,
  policy: OutboundPolicy = testPolicy,
): Layer.Layer<PluginServices | OutboundHttp> =>
  Layer.mergeAll(
    writeDirectly,
    readModelsInMemory,
    EventRegistry.layer("test", [TelemetryRecorded, TelemetryEnriched, ...sourceEvents]),
    AppConfig.fromEnv({
      MONGODB_URI: "mongodb://unused",
      KAFKA_BOOTSTRAP_SERVERS: "unused:9092",
      ANANSKY_ADMIN_TOKEN: testAdminToken,
    }).pipe(Layer.orDie),
    OutboundHttp.layerFromHandler(handler, policy),
  ).pipe(Layer.provideMerge(eventsInMemory));
