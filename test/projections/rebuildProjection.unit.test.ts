// Rebuilds on the memory layers: stream order restored from id order without asking the
// store, holes in a stream survived, and the replay order tracker on its own.
import { assert, describe, it } from "@effect/vitest";
import { Effect } from "effect";
import type { EventEnvelope, StreamId } from "../../core/events/EventEnvelope.ts";
import { eventIdFloor, eventIdTimestamp, newEventId } from "../../core/events/EventId.ts";
import { rebuildProjection } from "../../core/projections/ProjectionRunner.ts";
import { ReadModelStore } from "../../core/projections/ReadModelStore.ts";
import { shadowCollection } from "../../core/projections/rebuildProjection.ts";
import { makeReplayOrder } from "../../core/projections/replayOrder.ts";
import { EventStore } from "../../core/store/EventStore.ts";
import {
  appendHistories,
  DeviceRenamed,
  deviceHistory,
  devicesProjection,
  shuffled,
  tenantId,
} from "./projectionFixtures.ts";
import { visibleDocuments } from "./projectionRunnerScenarios.ts";
import { RoundTrips, withCountedStores } from "./roundTrips.ts";

const envelope = (streamId: string, streamVersion: number) =>
  ({ id: `${streamId}@${streamVersion}`, streamId: streamId as StreamId, streamVersion }) as EventEnvelope;
const labels = (events: ReadonlyArray<EventEnvelope>) => events.map((event) => event.id);

/** A device history whose ids run backwards: the store's id order is the reverse of version order. */
const backwardsHistory = (deviceId: string) => {
  const history = deviceHistory(deviceId, "north");
  const base = Date.now();
  return history.map((event, index) => ({ ...event, id: newEventId(base + 1_000 * (history.length - index)) }));
};

const expectedDevice = (deviceId: string) => ({
  _id: deviceId,
  name: `renamed ${deviceId}`,
  site: "north",
  readings: 3,
  lastCelsius: 22,
  renames: 1,
});

describe("replay order", () => {
  it("given versions out of order across pages, when admitted, then each stream comes out in version order", () => {
    const order = makeReplayOrder(100);
    const first = order.admit([envelope("a", 2), envelope("b", 1), envelope("a", 3)]);
    assert.deepStrictEqual(labels(first.ready), ["b@1"]);
    const second = order.admit([envelope("a", 1), envelope("b", 1), envelope("b", 3)]);
    assert.deepStrictEqual(labels(second.ready), ["a@1", "a@2", "a@3"]);
    assert.deepStrictEqual(Object.fromEntries(order.knownThrough), { a: 3, b: 1 });
    assert.deepStrictEqual(labels(order.drain()), ["b@3"]);
  });

  it("given a version that never comes, when a stream holds back too much, then its events overflow in version order", () => {
    const order = makeReplayOrder(2);
    assert.deepStrictEqual(labels(order.admit([envelope("a", 1), envelope("a", 3), envelope("a", 4)]).ready), ["a@1"]);
    const { ready, overflow } = order.admit([envelope("a", 6), envelope("a", 5)]);
    assert.deepStrictEqual([labels(ready), labels(overflow)], [[], ["a@3", "a@4", "a@5", "a@6"]]);
    assert.deepStrictEqual(labels(order.drain()), []);
  });
});

describe("rebuildProjection", () => {
  it.effect(
    "given ids in reverse version order, when rebuilt in small batches, then documents are right without store reads",
    () => {
      const trips = new RoundTrips();
      return Effect.gen(function* () {
        yield* appendHistories({ "device-1": backwardsHistory("device-1"), "device-2": backwardsHistory("device-2") });
        const devices = devicesProjection("devices");
        const progress = yield* rebuildProjection(devices, { batchSize: 3 });
        assert.deepStrictEqual(yield* visibleDocuments(devices), [
          expectedDevice("device-1"),
          expectedDevice("device-2"),
        ]);
        assert.deepInclude(progress, { eventsRead: 12, eventsApplied: 10, done: true });
        assert.strictEqual(trips.readStream, 0);
      }).pipe(withCountedStores(trips));
    },
  );

  it.effect("given a stream with a hole, when rebuilt, then the events around it are folded in order", () => {
    const trips = new RoundTrips();
    return Effect.gen(function* () {
      const [, , second] = yield* appendHistories({ "device-1": deviceHistory("device-1", "north") });
      if (second !== undefined) trips.hidden.add(second.id);
      const devices = devicesProjection("devices");
      yield* rebuildProjection(devices, { batchSize: 2 });
      assert.deepStrictEqual(yield* visibleDocuments(devices), [{ ...expectedDevice("device-1"), readings: 2 }]);
    }).pipe(withCountedStores(trips));
  });

  it.effect(
    "given a live read model, when it is rebuilt, then readers see the old documents until the rebuilt ones take their place",
    () =>
      Effect.gen(function* () {
        yield* appendHistories({ "device-1": deviceHistory("device-1", "north") });
        const devices = devicesProjection("devices");
        yield* rebuildProjection(devices);
        const store = yield* ReadModelStore;
        yield* store.writeMany(devices.collection, [{ id: "stale", doc: { name: "from before" } }]);
        const seenDuringRebuild: Array<ReadonlyArray<string>> = [];
        yield* rebuildProjection(devices, {
          batchSize: 2,
          progressEvery: 1,
          onProgress: (progress) =>
            progress.done
              ? Effect.void
              : Effect.orDie(
                  Effect.gen(function* () {
                    const documents = yield* store.find(devices.collection, {}, { sort: { _id: 1 } });
                    seenDuringRebuild.push(documents.map((document) => document._id));
                  }),
                ),
        });
        assert.isAbove(seenDuringRebuild.length, 1);
        for (const seen of seenDuringRebuild) assert.deepStrictEqual(seen, ["device-1", "stale"]);
        assert.deepStrictEqual(yield* visibleDocuments(devices), [expectedDevice("device-1")]);
        assert.deepStrictEqual(yield* store.find(shadowCollection(devices.collection), {}), []);
      }).pipe(withCountedStores()),
  );

  // Live clock: the rebuild reads again from the time it began.
  it.live(
    "given an event recorded while the replay was past its place in the store, when the rebuild ends, then the read model has it",
    () =>
      Effect.gen(function* () {
        const [first] = yield* appendHistories({
          "device-1": deviceHistory("device-1", "north"),
          "device-2": deviceHistory("device-2", "north"),
        });
        if (first === undefined) throw new Error("no events");
        const devices = devicesProjection("devices");
        const eventStore = yield* EventStore;
        let appended = false;
        yield* rebuildProjection(devices, {
          batchSize: 2,
          readPageSize: 2,
          progressEvery: 8,
          onProgress: () =>
            appended
              ? Effect.void
              : Effect.gen(function* () {
                  appended = true;
                  // Its id sorts before what the replay has read (a slow appender's clock).
                  const late = DeviceRenamed.make({ deviceId: "device-1", name: "late name" }, { tenantId });
                  yield* eventStore.appendToStream("device-1" as StreamId, "any", [
                    { ...late, id: eventIdFloor(eventIdTimestamp(first.id)) },
                  ]);
                }).pipe(Effect.orDie),
        });
        assert.isTrue(appended);
        const [device] = yield* visibleDocuments(devices);
        assert.deepInclude(device, { _id: "device-1", name: "late name", renames: 2 });
      }).pipe(withCountedStores()),
  );

  it.effect("given many shuffled streams, when rebuilt twice, then the second rebuild gives the same documents", () =>
    Effect.gen(function* () {
      const histories = Object.fromEntries(
        shuffled(
          Array.from({ length: 30 }, (_, i) => [`device-${i}`, deviceHistory(`device-${i}`, "north", 4)] as const),
          11,
        ),
      );
      yield* appendHistories(histories);
      const devices = devicesProjection("devices");
      yield* rebuildProjection(devices, { batchSize: 7, readPageSize: 13 });
      const first = yield* visibleDocuments(devices);
      yield* rebuildProjection(devices, { batchSize: 50 });
      assert.strictEqual(first.length, 30);
      assert.deepStrictEqual(yield* visibleDocuments(devices), first);
    }).pipe(withCountedStores()),
  );
});
