/**
 * The ingest plugin's routes in process, on the in-memory event store and read-model
 * store: fast tests of the whole request path (auth, validation, idempotency, appends,
 * reads) without Kafka or a database. Projections run when a test asks (`project()`),
 * which is what the worker does in a real process.
 */
import { Effect, Layer, ManagedRuntime, Stream } from "effect";
import { Hono } from "hono";
import { hashApiKey } from "../../core/auth/ApiKeys.ts";
import { forgetCachedKeys } from "../../core/auth/authenticate.ts";
import { AppConfig, decodeAppConfig } from "../../core/config/AppConfig.ts";
import { EventRegistry } from "../../core/events/EventRegistry.ts";
import { problemErrorHandler, problemNotFoundHandler } from "../../core/http/problemResponses.ts";
import { OutboundHttp } from "../../core/outbound/OutboundHttp.ts";
import { applyProjectionBatch } from "../../core/projections/applyProjectionBatch.ts";
import { ReadModelStore } from "../../core/projections/ReadModelStore.ts";
import { layerMemory as readModelsInMemory } from "../../core/projections/ReadModelStoreMemory.ts";
import { EventWriter } from "../../core/publishing/EventWriter.ts";
import { EventStore } from "../../core/store/EventStore.ts";
import { layerMemory as eventsInMemory } from "../../core/store/EventStoreMemory.ts";
import {
  ingestDependencies,
  latestProjection,
  readingsProjection,
  TelemetryRecorded,
} from "../../plugins/ingest/index.ts";
import { defaultIngestLimits, type IngestLimits } from "../../plugins/ingest/ingestLimits.ts";
import { ingestRoutes } from "../../plugins/ingest/ingestRoutes.ts";

export const adminToken = "in-memory-admin-token-0123456789";

/** An EventWriter straight onto the store: no Kafka publisher in process. */
const writerOnStore = Layer.effect(
  EventWriter,
  Effect.gen(function* () {
    const store = yield* EventStore;
    return EventWriter.of({ append: store.appendToStream, appendBatch: store.appendBatch });
  }),
);

const config = Layer.effect(
  AppConfig,
  decodeAppConfig({
    MONGODB_URI: "mongodb://memory",
    KAFKA_BOOTSTRAP_SERVERS: "memory:9092",
    ANANSKY_ADMIN_TOKEN: adminToken,
  }),
).pipe(Layer.orDie);

const services = Layer.mergeAll(
  writerOnStore.pipe(Layer.provideMerge(eventsInMemory)),
  readModelsInMemory,
  config,
  EventRegistry.layer("test", [TelemetryRecorded]),
  OutboundHttp.layerRefuseAll,
);

export interface KeySeed {
  readonly secret: string;
  readonly kind: "tenant" | "device";
  readonly tenantId: string;
  readonly deviceId?: string;
  readonly gatewayFor?: ReadonlyArray<string>;
  readonly status?: "active" | "revoked";
}

/**
 * @example
 * const platform = inMemoryIngest();
 * await platform.seedKey({ secret: "ak_d_x", kind: "device", tenantId: "acme", deviceId: "pump-1" });
 * const response = await platform.request("/v1/telemetry", { method: "POST", headers, body });
 */
export const inMemoryIngest = (limits: IngestLimits = defaultIngestLimits) => {
  forgetCachedKeys();
  const runtime = ManagedRuntime.make(services);
  const app = new Hono();
  app.onError(problemErrorHandler);
  app.notFound(problemNotFoundHandler);
  app.route("/", ingestRoutes({ run: (effect) => runtime.runPromise(effect) }, ingestDependencies(limits)));

  const run = <A, E>(effect: Effect.Effect<A, E, EventStore | ReadModelStore>) => runtime.runPromise(effect);
  return {
    request: (path: string, init?: RequestInit) => app.request(path, init),
    run,
    seedKey: async (seed: KeySeed) => {
      const doc = {
        kind: seed.kind,
        keyId: (await hashApiKey(seed.secret)).slice(0, 12),
        tenantId: seed.tenantId,
        status: seed.status ?? "active",
        ...(seed.deviceId === undefined ? {} : { deviceId: seed.deviceId }),
        ...(seed.gatewayFor === undefined ? {} : { gatewayFor: seed.gatewayFor }),
      };
      const id = await hashApiKey(seed.secret);
      await run(ReadModelStore.use((store) => store.writeMany("rm_api_keys", [{ id, doc }])));
    },
    seedDevice: (tenantId: string, deviceId: string, status: "active" | "decommissioned") =>
      run(
        ReadModelStore.use((store) =>
          store.writeMany("rm_devices", [{ id: `${tenantId}|${deviceId}`, doc: { tenantId, deviceId, status } }]),
        ),
      ),
    /** Every stored event, in recorded order. */
    events: () => run(EventStore.use((store) => Stream.runCollect(store.readAll()))),
    /** Folds every stored event into both read models, as the worker's projection runner would. */
    project: () =>
      run(
        Effect.gen(function* () {
          const store = yield* EventStore;
          const all = yield* Stream.runCollect(store.readAll());
          yield* applyProjectionBatch(latestProjection, all);
          yield* applyProjectionBatch(readingsProjection, all);
        }),
      ),
    dispose: () => runtime.dispose(),
  };
};

export type InMemoryIngest = ReturnType<typeof inMemoryIngest>;
