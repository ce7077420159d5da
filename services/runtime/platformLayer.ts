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
  type EventBus,
  EventRegistry,
  type EventStore,
  EventWriter,
  type LoadedPlugins,
  type ProcessedEvents,
  Publisher,
  type ReadModelStore,
} from "../../core/index.ts";
import { layerMongo as readModelStoreMongo } from "../../core/projections/ReadModelStoreMongo.ts";
import { layerMongo } from "../../core/store/EventStoreMongo.ts";
import { MongoConnection } from "./MongoConnection.ts";

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
  | MongoConnection;

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

/**
 * @example
 * const runtime = ManagedRuntime.make(platformLayer(config, loaded));
 */
export const platformLayer = (config: AppConfigValues, loaded: LoadedPlugins) => {
  const infrastructure = Layer.mergeAll(
    mongoBacked.pipe(Layer.provideMerge(MongoConnection.layer(config.MONGODB_URI, config.DATABASE_NAME))),
    layerKafka({ bootstrapServers: config.KAFKA_BOOTSTRAP_SERVERS, clientId: `anansky-${config.MODE}` }),
    EventRegistry.layer(config.ANANSKY_TOPIC_PREFIX, loaded.events),
    Layer.succeed(AppConfig, config),
  );
  const publishing = EventWriter.layer.pipe(
    Layer.provideMerge(Publisher.layer({ sweepAfterMs: config.ANANSKY_SWEEP_AFTER_MS })),
  );
  return publishing.pipe(Layer.provideMerge(infrastructure));
};
