// Projections on the real adapters: EventStoreMongo and ReadModelStoreMongo on the
// MongoDB-wire server, EventBusKafka on the local broker.
import { assert, layer } from "@effect/vitest";
import { Effect, Layer, Option } from "effect";
import { MongoClient } from "mongodb";
import { afterAll } from "vitest";
import { layerKafka } from "../../core/bus/EventBusKafka.ts";
import type { EventEnvelope } from "../../core/events/EventEnvelope.ts";
import { rebuildProjection, runProjections, topicsFromRegistry } from "../../core/projections/ProjectionRunner.ts";
import { ReadModelStore } from "../../core/projections/ReadModelStore.ts";
import { layerMongo as readModelsOnMongo } from "../../core/projections/ReadModelStoreMongo.ts";
import { layerMongo as eventsOnMongo } from "../../core/store/EventStoreMongo.ts";
import { testEnvironment, uniqueName } from "../harness/testEnvironment.ts";
import { appendHistories, deviceHistory, devicesProjection, sitesProjection } from "./projectionFixtures.ts";
import {
  awaitEventsApplied,
  publishEvents,
  storedDocuments,
  uniqueRegistry,
  visibleDocuments,
} from "./projectionRunnerScenarios.ts";

const { mongodbUri, databaseName, kafkaBootstrapServers } = testEnvironment();
const client = new MongoClient(mongodbUri);
afterAll(() => client.close());

/** Fresh event and read-model collections per test, so each test's replay sees only its events. */
const onMongo = <A, E, R>(effect: Effect.Effect<A, E, R>) => {
  const collectionPrefix = `${uniqueName("proj")}_`;
  return effect.pipe(
    Effect.provide(
      Layer.mergeAll(
        eventsOnMongo({ client, databaseName, collectionPrefix }),
        readModelsOnMongo({ client, databaseName, collectionPrefix }),
      ),
    ),
  );
};

const startLive = (...projections: Array<ReturnType<typeof devicesProjection> | ReturnType<typeof sitesProjection>>) =>
  Effect.gen(function* () {
    const registry = uniqueRegistry();
    yield* runProjections(projections, { groupPrefix: uniqueName("g"), topicsFor: topicsFromRegistry(registry) });
    for (const projection of projections) yield* awaitEventsApplied(projection, 0);
    return registry;
  });

const versions = (events: ReadonlyArray<EventEnvelope>, ...wanted: Array<number>) =>
  events.filter((event) => wanted.includes(event.streamVersion));

const histories = (prefix: string, count: number, readings = 3) =>
  Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `${prefix}-${i}`,
      deviceHistory(`${prefix}-${i}`, i % 3 ? "south" : "north", readings),
    ]),
  );

layer(layerKafka({ bootstrapServers: kafkaBootstrapServers }), { excludeTestServices: true, timeout: "120 seconds" })(
  "Projections on MongoDB and Kafka",
  (it) => {
    it.effect(
      "given events on Kafka, when built live and then rebuilt from the store, then both give the same documents",
      () =>
        Effect.gen(function* () {
          const devices = devicesProjection(uniqueName("devices"));
          const sites = sitesProjection(uniqueName("sites"));
          const registry = yield* startLive(devices, sites);
          yield* publishEvents(registry, yield* appendHistories(histories("device", 12, 4)));
          yield* awaitEventsApplied(devices, 12 * 6);
          yield* awaitEventsApplied(sites, 12);

          const rebuiltDevices = devicesProjection(`${devices.name}_rebuilt`);
          const rebuiltSites = sitesProjection(`${sites.name}_rebuilt`);
          yield* rebuildProjection(rebuiltDevices, { batchSize: 10 });
          yield* rebuildProjection(rebuiltSites, { batchSize: 10 });
          const live = yield* storedDocuments(devices);
          assert.strictEqual(live.length, 12);
          assert.deepStrictEqual(yield* storedDocuments(rebuiltDevices), live);
          assert.deepStrictEqual(yield* storedDocuments(rebuiltSites), yield* storedDocuments(sites));
          assert.deepStrictEqual(
            (yield* visibleDocuments(sites)).map((site) => site.devices),
            [4, 8],
          );
        }).pipe(Effect.scoped, onMongo),
    );

    it.effect(
      "given a live projection, when it restarts with a new version, then it is rebuilt before it follows Kafka",
      () =>
        Effect.gen(function* () {
          const name = uniqueName("devices");
          const registry = uniqueRegistry();
          const options = { groupPrefix: uniqueName("g"), topicsFor: topicsFromRegistry(registry) };
          yield* Effect.scoped(
            Effect.gen(function* () {
              yield* runProjections([devicesProjection(name, 1)], options);
              yield* awaitEventsApplied(devicesProjection(name, 1), 0);
              yield* publishEvents(registry, yield* appendHistories(histories("device", 3)));
              yield* awaitEventsApplied(devicesProjection(name, 1), 15);
            }),
          );
          const store = yield* ReadModelStore;
          yield* store.writeMany(`rm_${name}`, [{ id: "stale", doc: { name: "from version 1" } }]);

          yield* runProjections([devicesProjection(name, 2)], options);
          const checkpoint = yield* awaitEventsApplied(devicesProjection(name, 2), 15);
          assert.strictEqual(checkpoint.version, 2);
          const ids = (yield* visibleDocuments(devicesProjection(name, 2))).map((doc) => doc._id);
          assert.deepStrictEqual(ids, ["device-0", "device-1", "device-2"]);

          yield* publishEvents(registry, yield* appendHistories(histories("late", 1)));
          yield* awaitEventsApplied(devicesProjection(name, 2), 20);
        }).pipe(Effect.scoped, onMongo),
    );

    it.effect("given folded events, when Kafka delivers them again, then no document changes", () =>
      Effect.gen(function* () {
        const devices = devicesProjection(uniqueName("devices"));
        const registry = yield* startLive(devices);
        const events = yield* appendHistories(histories("device", 2));
        yield* publishEvents(registry, events);
        yield* awaitEventsApplied(devices, 10);
        const before = yield* storedDocuments(devices);

        yield* publishEvents(registry, [...events].reverse());
        yield* publishEvents(registry, yield* appendHistories(histories("marker", 1, 0)));
        const checkpoint = yield* awaitEventsApplied(devices, 12);
        assert.strictEqual(checkpoint.eventsApplied, 12, "only the marker's two events are new");
        const after = yield* storedDocuments(devices);
        assert.deepStrictEqual(
          after.filter(([id]) => !id.startsWith("marker")),
          before,
        );
      }).pipe(Effect.scoped, onMongo),
    );

    it.effect("given version 2 delivered before version 1, when folded live, then the document ends correct", () =>
      Effect.gen(function* () {
        const devices = devicesProjection(uniqueName("devices"));
        const registry = yield* startLive(devices);
        const events = yield* appendHistories(histories("device", 1));
        yield* publishEvents(registry, versions(events, 2));
        yield* awaitEventsApplied(devices, 2);
        const store = yield* ReadModelStore;
        const afterV2 = Option.getOrUndefined(yield* store.get(devices.collection, "device-0"));
        assert.deepInclude(afterV2, { name: "pump device-0", readings: 1, lastCelsius: 100 });

        yield* publishEvents(registry, versions(events, 1));
        yield* publishEvents(registry, versions(events, 6, 3, 4, 5));
        const checkpoint = yield* awaitEventsApplied(devices, 5);
        assert.strictEqual(checkpoint.eventsApplied, 5);
        const final = Option.getOrUndefined(yield* store.get(devices.collection, "device-0"));
        assert.deepStrictEqual(final, {
          _id: "device-0",
          name: "renamed device-0",
          site: "north",
          readings: 3,
          lastCelsius: 22,
          renames: 1,
        });
      }).pipe(Effect.scoped, onMongo),
    );
  },
);
