// The runner on the memory layers: live folding from the bus, rebuild at start on a
// version change, malformed messages skipped, a broken projection isolated, progress.
import { assert, describe, it } from "@effect/vitest";
import { Effect, Layer, Option } from "effect";
import { EventBus } from "../../core/bus/EventBus.ts";
import { layerMemory as busInMemory } from "../../core/bus/EventBusMemory.ts";
import { defineProjection } from "../../core/projections/defineProjection.ts";
import {
  type RebuildProgress,
  rebuildProjection,
  runProjections,
  topicsFromRegistry,
} from "../../core/projections/ProjectionRunner.ts";
import { ReadModelStore } from "../../core/projections/ReadModelStore.ts";
import { layerMemory as readModelsInMemory } from "../../core/projections/ReadModelStoreMemory.ts";
import { layerMemory as eventsInMemory } from "../../core/store/EventStoreMemory.ts";
import { uniqueName } from "../harness/testEnvironment.ts";
import {
  appendHistories,
  deviceHistory,
  devicesProjection,
  sitesProjection,
  TelemetryRecorded,
} from "./projectionFixtures.ts";
import {
  awaitEventsApplied,
  publishEvents,
  storedDocuments,
  uniqueRegistry,
  visibleDocuments,
} from "./projectionRunnerScenarios.ts";

const inMemory = Effect.provide(Layer.mergeAll(busInMemory, readModelsInMemory, eventsInMemory));
const histories = (count: number, readings = 3) =>
  Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `device-${i}`,
      deviceHistory(`device-${i}`, i % 2 ? "south" : "north", readings),
    ]),
  );

describe("ProjectionRunner", () => {
  it.live("given events on the bus, when projections run, then documents are built live and checkpointed", () => {
    const registry = uniqueRegistry();
    const devices = devicesProjection(uniqueName("devices"));
    const sites = sitesProjection(uniqueName("sites"));
    return Effect.gen(function* () {
      yield* runProjections([devices, sites], {
        groupPrefix: uniqueName("g"),
        topicsFor: topicsFromRegistry(registry),
      });
      yield* awaitEventsApplied(devices, 0);
      yield* awaitEventsApplied(sites, 0);
      const events = yield* appendHistories(histories(6));
      yield* publishEvents(registry, events);
      const checkpoint = yield* awaitEventsApplied(devices, 6 * 5);
      yield* awaitEventsApplied(sites, 6);
      assert.strictEqual(checkpoint.version, 1);
      assert.include(
        events.map((event) => event.id),
        checkpoint.lastEventId ?? "none",
      );
      assert.deepStrictEqual(
        (yield* visibleDocuments(sites)).map((site) => [site._id, site.devices]),
        [
          ["north", 3],
          ["south", 3],
        ],
      );
      assert.strictEqual((yield* visibleDocuments(devices)).length, 6);
    }).pipe(Effect.scoped, inMemory);
  });

  it.live(
    "given a checkpoint of an older version, when the runner starts, then it rebuilds before following the bus",
    () => {
      const registry = uniqueRegistry();
      const name = uniqueName("devices");
      const progress: Array<RebuildProgress> = [];
      const options = {
        groupPrefix: uniqueName("g"),
        topicsFor: topicsFromRegistry(registry),
        onRebuildProgress: (p: RebuildProgress) => Effect.sync(() => void progress.push(p)),
      };
      return Effect.gen(function* () {
        yield* Effect.scoped(
          Effect.gen(function* () {
            yield* runProjections([devicesProjection(name, 1)], options);
            yield* awaitEventsApplied(devicesProjection(name, 1), 0);
            yield* publishEvents(registry, yield* appendHistories(histories(2)));
            yield* awaitEventsApplied(devicesProjection(name, 1), 10);
          }),
        );
        const store = yield* ReadModelStore;
        yield* store.writeMany(`rm_${name}`, [{ id: "stale", doc: { name: "left from version 1" } }]);
        progress.length = 0;

        yield* runProjections([devicesProjection(name, 2)], options);
        const checkpoint = yield* awaitEventsApplied(devicesProjection(name, 2), 10);
        assert.strictEqual(checkpoint.version, 2);
        assert.deepStrictEqual(
          (yield* visibleDocuments(devicesProjection(name, 2))).map((doc) => doc._id),
          ["device-0", "device-1"],
        );
        assert.deepStrictEqual(progress.at(-1)?.done, true);
        assert.strictEqual(progress.at(-1)?.eventsApplied, 10);
      }).pipe(Effect.scoped, inMemory);
    },
  );

  it.live(
    "given a malformed message and a projection that throws, when running, then the others still fold everything",
    () => {
      const registry = uniqueRegistry();
      const devices = devicesProjection(uniqueName("devices"));
      const broken = defineProjection({
        name: uniqueName("broken"),
        version: 1,
        events: [TelemetryRecorded],
        key: (event) => event.payload.deviceId,
        apply: (): Record<string, unknown> => {
          throw new Error("a bug in apply");
        },
      });
      return Effect.gen(function* () {
        yield* runProjections([broken, devices], {
          groupPrefix: uniqueName("g"),
          topicsFor: topicsFromRegistry(registry),
        });
        yield* awaitEventsApplied(broken, 0);
        yield* awaitEventsApplied(devices, 0);
        const bus = yield* EventBus;
        const topic = registry.topicFor("DeviceRegistered");
        yield* bus.publish([{ topic, key: "device-0", value: "{not json", headers: {} }]);
        yield* publishEvents(registry, yield* appendHistories(histories(3)));
        yield* awaitEventsApplied(devices, 15);
        assert.strictEqual((yield* visibleDocuments(devices)).length, 3);
        const brokenCheckpoint = yield* Effect.flatMap(ReadModelStore, (s) => s.getCheckpoint(broken.name));
        assert.strictEqual(Option.getOrUndefined(brokenCheckpoint)?.eventsApplied, 0);
      }).pipe(Effect.scoped, inMemory);
    },
  );

  it.effect("given stored events, when rebuilding, then progress is reported every N events and at the end", () =>
    Effect.gen(function* () {
      const devices = devicesProjection(uniqueName("devices"));
      yield* appendHistories(histories(5));
      const progress: Array<RebuildProgress> = [];
      const final = yield* rebuildProjection(devices, {
        batchSize: 4,
        progressEvery: 10,
        onProgress: (p) => Effect.sync(() => void progress.push(p)),
      });
      // Every type is read (30 events); the 5 DeviceNoted are not folded.
      assert.deepStrictEqual(
        progress.map((p) => [p.eventsRead, p.done]),
        [
          [12, false],
          [24, false],
          [30, true],
        ],
      );
      assert.strictEqual(progress.at(-1)?.eventsApplied, 25);
      assert.strictEqual(final.eventsApplied, 25);
      const checkpoint = Option.getOrUndefined(
        yield* Effect.flatMap(ReadModelStore, (s) => s.getCheckpoint(devices.name)),
      );
      assert.deepInclude(checkpoint, { status: "live", version: 1, eventsApplied: 25 });
      assert.strictEqual((yield* visibleDocuments(devices)).length, 5);
    }).pipe(inMemory),
  );

  it.live(
    "given a projection built live, when rebuilt from the store, then the rebuilt documents equal the live ones",
    () => {
      const registry = uniqueRegistry();
      const name = uniqueName("devices");
      return Effect.gen(function* () {
        yield* runProjections([devicesProjection(name)], {
          groupPrefix: uniqueName("g"),
          topicsFor: topicsFromRegistry(registry),
        });
        yield* awaitEventsApplied(devicesProjection(name), 0);
        yield* publishEvents(registry, yield* appendHistories(histories(8, 6)));
        yield* awaitEventsApplied(devicesProjection(name), 8 * 8);
        const live = yield* storedDocuments(devicesProjection(name));
        const rebuiltCopy = devicesProjection(`${name}_rebuilt`);
        yield* rebuildProjection(rebuiltCopy, { batchSize: 7 });
        assert.strictEqual(live.length, 8);
        assert.deepStrictEqual(yield* storedDocuments(rebuiltCopy), live);
      }).pipe(Effect.scoped, inMemory);
    },
  );
});
