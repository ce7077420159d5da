/**
 * The platform's services for one process, composed from config and the loaded plugins:
 * MongoDB (event store, processed events, dead letters), Kafka (event bus), the event
 * registry, read models, the background publisher and the event writer.
 */
import { Effect, Layer } from "effect";
import { layerKafka } from "../../core/bus/EventBusKafka.ts";
import { layerDeadLettersMongo } from "../../core/consuming/DeadLettersMongo.ts";
import { layerProcessedEventsMongo } from "../../core/consuming/ProcessedEventsMongo.ts";
import {
  AppConfig,
  type AppConfigValues,
  type DeadLetters,
  defaultOutboundPolicy,
  type EventBus,
  EventRegistry,
  type EventStore,
  EventWriter,
  type LoadedPlugins,
  layerConsumerLagMetrics,
  type OutboundHttp,
  type ProcessedEvents,
  Publisher,
  type ReadModelStore,
} from "../../core/index.ts";
import { layerMongo as readModelStoreMongo } from "../../core/projections/ReadModelStoreMongo.ts";
import { layerMongo } from "../../core/store/EventStoreMongo.ts";
import { layerUnpublishedBacklog } from "../../observability/unpublishedBacklog.ts";
import { MongoConnection } from "./MongoConnection.ts";
import { layerOutboundHttpNode } from "./outboundHttpNode.ts";

export type PlatformServices =
  | AppConfig
  | EventRegistry
  | EventStore
  | EventBus
  | Publisher
  | EventWriter
  | ProcessedEvents
  | DeadLetters
  | ReadModelStore
  | MongoConnection
  | OutboundHttp;

const mongoBacked = Layer.unwrap(
  Effect.gen(function* () {
    const { client, databaseName } = yield* MongoConnection;
    return Layer.mergeAll(
      layerMongo({ client, databaseName }),
      layerProcessedEventsMongo({ client, databaseName }),
      layerDeadLettersMongo({ client, databaseName }),
      readModelStoreMongo({ client, databaseName }),
    );
  }),
);

export interface PlatformObservability {
  /** Logger, log level and tracer every effect of the runtime runs with (observability/telemetryLayer.ts). */
  readonly telemetry?: Layer.Layer<never> | undefined;
  /** How often consumer lag and the unpublished backlog are read into metrics (default 15 s). */
  readonly metricsPollIntervalMs?: number | undefined;
}

/**
 * @example
 * const runtime = ManagedRuntime.make(platformLayer(config, loaded, { telemetry: telemetryLayer(options) }));
 */
export const platformLayer = (
  config: AppConfigValues,
  loaded: LoadedPlugins,
  observability: PlatformObservability = {},
) => {
  const mongo = MongoConnection.layer(config.MONGODB_URI, config.DATABASE_NAME);
  const infrastructure = Layer.mergeAll(
    mongoBacked.pipe(Layer.provideMerge(mongo)),
    // Remembers the groups this process subscribes and polls their lag into a metric.
    layerConsumerLagMetrics({ intervalMs: observability.metricsPollIntervalMs }).pipe(
      Layer.provide(
        layerKafka({ bootstrapServers: config.KAFKA_BOOTSTRAP_SERVERS, clientId: `anansky-${config.MODE}` }),
      ),
    ),
    layerUnpublishedBacklog({ intervalMs: observability.metricsPollIntervalMs }).pipe(Layer.provide(mongo)),
    EventRegistry.layer(config.ANANSKY_TOPIC_PREFIX, loaded.events),
    Layer.succeed(AppConfig, config),
    layerOutboundHttpNode({
      ...defaultOutboundPolicy,
      allowHosts: config.ANANSKY_OUTBOUND_ALLOW_HOSTS,
      allowPrivate: config.ANANSKY_OUTBOUND_ALLOW_PRIVATE,
      maxResponseBytes: config.ANANSKY_OUTBOUND_MAX_RESPONSE_BYTES,
      maxRedirects: config.ANANSKY_OUTBOUND_MAX_REDIRECTS,
    }),
  );
  const publishing = EventWriter.layer.pipe(
    Layer.provideMerge(Publisher.layer({ sweepAfterMs: config.ANANSKY_SWEEP_AFTER_MS })),
  );
  // The telemetry layer goes in last so the other layers' start-up logs and spans use it too.
  return publishing.pipe(
    Layer.provideMerge(infrastructure),
    Layer.provideMerge(observability.telemetry ?? Layer.empty),
  );
};
