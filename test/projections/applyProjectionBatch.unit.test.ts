// The fold at the heart of projections, given/when/then, on the memory layers: order,
// redelivery, gaps, tombstones, upcasting, and the round trips a batch costs.
import { assert, describe, it } from "@effect/vitest";
import { Effect, Option } from "effect";
import type { EventEnvelope } from "../../core/events/EventEnvelope.ts";
import { applyProjectionBatch, foldUntilVisible } from "../../core/projections/applyProjectionBatch.ts";
import { type AnyProjection, defineProjection } from "../../core/projections/defineProjection.ts";
import { ReadModelStore } from "../../core/projections/ReadModelStore.ts";
import type { EventStore } from "../../core/store/EventStore.ts";
import {
  appendHistories,
  DeviceRemoved,
  DeviceRenamed,
  deviceHistory,
  devicesProjection,
  malformedTelemetry,
  readWholeStream,
  shuffled,
  sitesProjection,
  tenantId,
  withoutRevision,
} from "./projectionFixtures.ts";
import { RoundTrips, withCountedStores } from "./roundTrips.ts";

const inMemory = (trips = new RoundTrips()) => withCountedStores(trips);

const documentsOf = (projection: AnyProjection) =>
  Effect.flatMap(ReadModelStore, (store) => store.find(projection.collection, {}));
const storedOf = (projection: AnyProjection, ids: ReadonlyArray<string>) =>
  Effect.map(
    Effect.flatMap(ReadModelStore, (store) => store.loadMany(projection.collection, ids)),
    (stored) => new Map([...stored].map(([id, doc]) => [id, withoutRevision(doc)])),
  );

const byVersions = (events: ReadonlyArray<EventEnvelope>, ...versions: Array<number>) =>
  versions.map((version) => {
    const event = events.find((e) => e.streamVersion === version);
    if (event === undefined) throw new Error(`no event at version ${version}`);
    return event;
  });

const expectedDevice = (deviceId: string, site: string) => ({
  _id: deviceId,
  name: `renamed ${deviceId}`,
  site,
  readings: 3,
  lastCelsius: 22,
  renames: 1,
});

/** One document per name a device had: a rename begins a document of its own. */
const namesProjection = (startsDocument: boolean) =>
  defineProjection({
    name: startsDocument ? "names" : "names_unmarked",
    version: 1,
    events: [DeviceRenamed],
    key: (event) => `${event.payload.deviceId}/${event.payload.name}`,
    apply: (_doc: { readonly since: string } | undefined, event) => ({ since: event.recordedAt }),
    ...(startsDocument ? { startsDocument: () => true } : {}),
  });

describe("applyProjectionBatch", () => {
  it.effect(
    "given a document that begins mid-stream, when its first event is folded, then the stream's earlier versions are read only if the projection cannot tell it begins there",
    () => {
      const trips = new RoundTrips();
      return Effect.gen(function* () {
        const history = yield* appendHistories({ "device-1": deviceHistory("device-1", "north") });
        const renamed = history.filter((event) => event.type === "DeviceRenamed");
        assert.isAbove(renamed[0]?.streamVersion ?? 0, 1);
        yield* applyProjectionBatch(namesProjection(true), renamed);
        assert.strictEqual(trips.readStream, 0);
        yield* applyProjectionBatch(namesProjection(false), renamed);
        assert.strictEqual(trips.readStream, 1);
      }).pipe(inMemory(trips));
    },
  );

  it.effect(
    "given a device's events in order, when folded, then the document reflects them with upcast payloads",
    () => {
      const trips = new RoundTrips();
      return Effect.gen(function* () {
        const devices = devicesProjection("devices");
        const events = yield* appendHistories({ "device-1": deviceHistory("device-1", "north") });
        const outcome = yield* applyProjectionBatch(devices, events);
        assert.deepStrictEqual(yield* documentsOf(devices), [expectedDevice("device-1", "north")]);
        assert.deepStrictEqual(outcome, { eventsApplied: 5, documentsWritten: 1, gapEventsRead: 0 });
        assert.deepStrictEqual([trips.loadMany, trips.writeMany, trips.readStream], [1, 1, 0]);
      }).pipe(inMemory(trips));
    },
  );

  it.effect(
    "given the first reading stored at schema version 1, when folded, then apply sees it upcast to celsius",
    () =>
      Effect.gen(function* () {
        const devices = devicesProjection("devices");
        const events = yield* appendHistories({ "device-1": deviceHistory("device-1", "north", 1) });
        yield* applyProjectionBatch(devices, byVersions(events, 1, 2));
        const [doc] = yield* documentsOf(devices);
        assert.strictEqual(doc?.lastCelsius, 100);
      }).pipe(inMemory()),
  );

  it.effect(
    "given a folded batch, when the same batch is delivered again, then nothing changes and nothing is written",
    () => {
      const trips = new RoundTrips();
      return Effect.gen(function* () {
        const devices = devicesProjection("devices");
        const events = yield* appendHistories({
          "device-1": deviceHistory("device-1", "north"),
          "device-2": deviceHistory("device-2", "south"),
        });
        yield* applyProjectionBatch(devices, events);
        const before = yield* storedOf(devices, ["device-1", "device-2"]);
        const again = yield* applyProjectionBatch(devices, [...events, ...events]);
        assert.deepStrictEqual(again, { eventsApplied: 0, documentsWritten: 0, gapEventsRead: 0 });
        assert.deepStrictEqual(yield* storedOf(devices, ["device-1", "device-2"]), before);
        assert.strictEqual(trips.writeMany, 2, "the second batch writes nothing new but still makes its one call");
      }).pipe(inMemory(trips));
    },
  );

  it.effect(
    "given version 2 delivered before version 1, when folded, then version 1 is read from the store first",
    () =>
      Effect.gen(function* () {
        const devices = devicesProjection("devices");
        const events = yield* appendHistories({ "device-1": deviceHistory("device-1", "north") });
        const outcome = yield* applyProjectionBatch(devices, byVersions(events, 2));
        assert.deepStrictEqual(outcome, { eventsApplied: 2, documentsWritten: 1, gapEventsRead: 1 });
        assert.strictEqual((yield* documentsOf(devices))[0]?.readings, 1);

        const late = yield* applyProjectionBatch(devices, byVersions(events, 1));
        assert.strictEqual(late.eventsApplied, 0, "the late version 1 is a duplicate by now");
        yield* applyProjectionBatch(devices, byVersions(events, 6, 3, 4));
        assert.deepStrictEqual(yield* documentsOf(devices), [expectedDevice("device-1", "north")]);
      }).pipe(inMemory()),
  );

  it.effect(
    "given event types the projection ignores between two folded events, when the later one arrives, then it is applied",
    () => {
      const trips = new RoundTrips();
      return Effect.gen(function* () {
        const devices = devicesProjection("devices");
        const events = yield* appendHistories({ "device-1": deviceHistory("device-1", "north") });
        yield* applyProjectionBatch(devices, byVersions(events, 1, 2, 3, 4));
        // Version 5 is a DeviceNoted, which this projection does not fold: version 6 follows a gap.
        const outcome = yield* applyProjectionBatch(devices, byVersions(events, 6));
        assert.deepStrictEqual(outcome, { eventsApplied: 1, documentsWritten: 1, gapEventsRead: 0 });
        assert.strictEqual(trips.readStream, 1);
        assert.deepStrictEqual(yield* documentsOf(devices), [expectedDevice("device-1", "north")]);
      }).pipe(inMemory(trips));
    },
  );

  it.effect("given a removed device, when an older event is redelivered late, then the document stays deleted", () =>
    Effect.gen(function* () {
      const devices = devicesProjection("devices");
      const events = yield* appendHistories({ "device-1": deviceHistory("device-1", "north") });
      const [removed] = yield* appendHistories({
        "device-1": [DeviceRemoved.make({ deviceId: "device-1" }, { tenantId })],
      });
      yield* applyProjectionBatch(devices, [...events, ...(removed ? [removed] : [])]);
      assert.deepStrictEqual(yield* documentsOf(devices), []);

      yield* applyProjectionBatch(devices, byVersions(events, 1, 2));
      assert.deepStrictEqual(yield* documentsOf(devices), []);
      assert.isTrue(Option.isNone(yield* Effect.flatMap(ReadModelStore, (s) => s.get(devices.collection, "device-1"))));
      const tombstone = (yield* storedOf(devices, ["device-1"])).get("device-1");
      assert.deepStrictEqual(tombstone, { _applied: { "device-1": 7 }, _deleted: true });
    }).pipe(inMemory()),
  );

  it.effect(
    "given another writer folding the whole stream meanwhile, when an earlier part is written, then the newer state stays",
    () => {
      const trips = new RoundTrips();
      return Effect.gen(function* () {
        const devices = devicesProjection("devices");
        const events = yield* appendHistories({ "device-1": deviceHistory("device-1", "north") });
        const stores = yield* Effect.context<ReadModelStore | EventStore>();
        // The command's inline fold of every event lands between this batch's load and write.
        trips.beforeWrites.push(
          applyProjectionBatch(devices, events).pipe(Effect.provideContext(stores), Effect.orDie),
        );
        const outcome = yield* applyProjectionBatch(devices, byVersions(events, 1, 2));
        assert.deepStrictEqual(yield* documentsOf(devices), [expectedDevice("device-1", "north")]);
        assert.strictEqual(outcome.eventsApplied, 0, "the retry found both events folded already");
        assert.strictEqual(trips.loadMany, 3, "first attempt, the other writer, the retry");
      }).pipe(inMemory(trips));
    },
  );

  it.effect(
    "given an older state landing just after a command's fold, when folding until visible, then the fold is repeated",
    () => {
      const trips = new RoundTrips();
      return Effect.gen(function* () {
        const devices = devicesProjection("devices");
        const stale = devicesProjection("devices_stale");
        const events = yield* appendHistories({ "device-1": deviceHistory("device-1", "north") });
        yield* applyProjectionBatch(stale, byVersions(events, 1, 2));
        const store = yield* ReadModelStore;
        const older = (yield* store.loadMany(stale.collection, ["device-1"])).get("device-1");
        // FerretDB can let two conditional replaces both win: the older one lands last.
        trips.afterWrites.push(Effect.orDie(store.writeMany(devices.collection, [{ id: "device-1", doc: older }])));
        const writesBefore = trips.writeMany;
        yield* foldUntilVisible(devices, events);
        assert.deepStrictEqual(yield* documentsOf(devices), [expectedDevice("device-1", "north")]);
        assert.strictEqual(trips.writeMany - writesBefore, 3, "the fold, the older state, the fold again");
      }).pipe(inMemory(trips));
    },
  );

  it.effect("given a malformed event in a stream, when folded, then it is skipped and later events still apply", () =>
    Effect.gen(function* () {
      const devices = devicesProjection("devices");
      const history = deviceHistory("device-1", "north");
      const events = yield* appendHistories({
        "device-1": [...history.slice(0, 2), malformedTelemetry("device-1"), ...history.slice(2)],
      });
      yield* applyProjectionBatch(devices, shuffled(events, 7));
      assert.deepStrictEqual(yield* documentsOf(devices), [expectedDevice("device-1", "north")]);
    }).pipe(inMemory()),
  );

  it.effect(
    "given one document fed by many streams (some with dots in their ids), when folded twice, then each registration counts once",
    () =>
      Effect.gen(function* () {
        const sites = sitesProjection("sites");
        const events = yield* appendHistories({
          "site.7/device-a": deviceHistory("a", "north"),
          "$device-b": deviceHistory("b", "north"),
          "device-c": deviceHistory("c", "south"),
        });
        yield* applyProjectionBatch(sites, events);
        yield* applyProjectionBatch(sites, shuffled(events, 3));
        assert.deepStrictEqual(
          yield* Effect.flatMap(ReadModelStore, (s) => s.find(sites.collection, {}, { sort: { _id: 1 } })),
          [
            { _id: "north", devices: 2, names: ["pump a", "pump b"] },
            { _id: "south", devices: 1, names: ["pump c"] },
          ],
        );
        const north = (yield* storedOf(sites, ["north"])).get("north");
        assert.deepStrictEqual(north?._applied, { "site%2E7/device-a": 1, "%24device-b": 1 });
      }).pipe(inMemory()),
  );

  it.effect(
    "given many devices' events shuffled into random batches with repeats, when folded, then documents equal the in-order fold",
    () => {
      const trips = new RoundTrips();
      return Effect.gen(function* () {
        const devices = devicesProjection("devices");
        const inOrder = devicesProjection("devices_in_order");
        const histories = Object.fromEntries(
          Array.from({ length: 20 }, (_, i) => [
            `device-${i}`,
            deviceHistory(`device-${i}`, i % 2 === 0 ? "north" : "south", 5),
          ]),
        );
        const events = yield* appendHistories(histories);
        for (const streamId of Object.keys(histories))
          yield* applyProjectionBatch(inOrder, yield* readWholeStream(streamId));

        const deliveries = shuffled([...events, ...events.slice(0, 40)], 42);
        for (let start = 0; start < deliveries.length; start += 17) {
          yield* applyProjectionBatch(devices, deliveries.slice(start, start + 17));
        }
        const expected = yield* documentsOf(inOrder);
        assert.strictEqual(expected.length, 20);
        assert.deepStrictEqual(yield* documentsOf(devices), expected);
        const ids = Object.keys(histories);
        assert.deepStrictEqual(yield* storedOf(devices, ids), yield* storedOf(inOrder, ids));
      }).pipe(inMemory(trips));
    },
  );

  it.effect("given events whose key is undefined or of other types, when folded, then they change nothing", () =>
    Effect.gen(function* () {
      const devices = devicesProjection("devices");
      const events = yield* appendHistories({ "device-1": deviceHistory("device-1", "north") });
      const notes = events.filter((event) => event.type === "DeviceNoted");
      const outcome = yield* applyProjectionBatch(devices, notes);
      assert.deepStrictEqual(outcome, { eventsApplied: 0, documentsWritten: 0, gapEventsRead: 0 });
      assert.deepStrictEqual(yield* documentsOf(devices), []);
    }).pipe(inMemory()),
  );
});
