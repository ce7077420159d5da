/**
 * The platform services this plugin uses, in memory, for its unit tests: a fresh event
 * store and read-model store per build, an EventWriter that appends directly (no Kafka),
 * and a config with a known admin token.
 */
import { Effect, Layer } from "effect";
import {
  AppConfig,
  EventRegistry,
  EventStore,
  EventWriter,
  OutboundHttp,
  type PluginServices,
} from "../../core/index.ts";
import { layerMemory as readModelsInMemory } from "../../core/projections/ReadModelStoreMemory.ts";
import { layerMemory as eventsInMemory } from "../../core/store/EventStoreMemory.ts";
import { deviceEvents } from "./deviceEvents.ts";
import { tenantEvents } from "./tenantEvents.ts";

export const testAdminToken = "unit-test-admin-token-0123456789";

const writeDirectly = Layer.effect(
  EventWriter,
  Effect.map(EventStore, (store) =>
    EventWriter.of({
      append: (streamId, expectedVersion, events) => store.appendToStream(streamId, expectedVersion, events),
      appendBatch: (appends) => store.appendBatch(appends),
    }),
  ),
);

/**
 * @example
 * it.effect("...", () => Effect.gen(function* () { ... }).pipe(Effect.provide(devicesTestLayer())));
 */
export const devicesTestLayer = (): Layer.Layer<PluginServices> =>
  Layer.mergeAll(
    writeDirectly,
    readModelsInMemory,
    EventRegistry.layer("test", [...tenantEvents, ...deviceEvents]),
    OutboundHttp.layerRefuseAll,
    AppConfig.fromEnv({
      MONGODB_URI: "mongodb://unused",
      KAFKA_BOOTSTRAP_SERVERS: "unused:9092",
      ANANSKY_ADMIN_TOKEN: testAdminToken,
    }).pipe(Layer.orDie),
  ).pipe(Layer.provideMerge(eventsInMemory));
