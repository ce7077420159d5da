// Device commands, given/when/then on the memory layers: decisions come from the stream,
// the read models are current when a command returns, and tenants never see each other.
import { assert, describe, it } from "@effect/vitest";
import { Effect, Option, Stream } from "effect";
import {
  apiKeysCollection,
  EventStore,
  hashApiKey,
  newEventId,
  type PluginServices,
  ReadModelConstraintViolation,
  ReadModelStore,
  type TenantId,
} from "../../core/index.ts";
import { decommissionDevice, issueDeviceKey, registerDevice, revokeDeviceKey, updateDevice } from "./deviceCommands.ts";
import { type DeviceId, deviceStreamId } from "./deviceFields.ts";
import { findDeviceDocument, getDevice } from "./deviceQueries.ts";
import { devicesTestLayer } from "./devicesTestLayer.ts";

const pump = "pump-7" as DeviceId;

const keyStatus = (secret: string) =>
  Effect.gen(function* () {
    const store = yield* ReadModelStore;
    const found = yield* store.get(apiKeysCollection, yield* Effect.promise(() => hashApiKey(secret)));
    return Option.getOrUndefined(found)?.status;
  });

const eventTypes = (tenantId: string, deviceId: string) =>
  Effect.flatMap(EventStore, (store) =>
    Stream.runCollect(store.readStream(deviceStreamId(tenantId, deviceId))).pipe(
      Effect.map((events) => events.map((event) => event.type)),
    ),
  );

describe("device commands", () => {
  it.effect("given nothing, when a device registers, then it is readable at once with an active key", () =>
    Effect.gen(function* () {
      const { deviceId, key } = yield* registerDevice("acme", {
        deviceId: pump,
        name: "Pump 7",
        tags: ["pump", "pump"],
      });
      assert.strictEqual(deviceId, "pump-7");
      assert.match(key.key, /^ak_d_/);
      const device = yield* getDevice("acme", "pump-7");
      assert.deepStrictEqual(device.tags, ["pump"]);
      assert.strictEqual(device.version, 2);
      assert.strictEqual(yield* keyStatus(key.key), "active");
      assert.deepStrictEqual(yield* eventTypes("acme", "pump-7"), ["DeviceRegistered", "DeviceKeyIssued"]);
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given no device id, when a device registers, then it gets a generated one", () =>
    Effect.gen(function* () {
      const { deviceId } = yield* registerDevice("acme", { name: "Anonymous" });
      assert.match(deviceId, /^[0-9a-f-]{36}$/);
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given a registered device, when the same id registers again, then Conflict and nothing is appended", () =>
    Effect.gen(function* () {
      yield* registerDevice("acme", { deviceId: pump, name: "Pump 7" });
      const error = yield* Effect.flip(registerDevice("acme", { deviceId: pump, name: "Again" }));
      assert.strictEqual(error._tag, "Conflict");
      assert.strictEqual((yield* eventTypes("acme", "pump-7")).length, 2);
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given tenant A's device, then tenant B reads, changes and rotates nothing of it (NotFound)", () =>
    Effect.gen(function* () {
      const { key } = yield* registerDevice("acme", { deviceId: pump, name: "Pump 7" });
      const attempts = [
        getDevice("globex", "pump-7"),
        updateDevice("globex", "pump-7", { name: "Hijacked" }, undefined),
        decommissionDevice("globex", "pump-7"),
        issueDeviceKey("globex", "pump-7", { revokeOthers: true }),
        revokeDeviceKey("globex", "pump-7", key.keyId),
      ];
      for (const attempt of attempts) assert.strictEqual((yield* Effect.flip(attempt))._tag, "NotFound");
      const device = yield* getDevice("acme", "pump-7");
      assert.strictEqual(device.name, "Pump 7");
      assert.strictEqual(device.status, "active");
      assert.strictEqual(yield* keyStatus(key.key), "active");
      // The same id is free in another tenant, and stays separate.
      yield* registerDevice("globex", { deviceId: pump, name: "Globex pump" });
      assert.strictEqual((yield* getDevice("acme", "pump-7")).name, "Pump 7");
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given a device at version 2, when patched with If-Match 1, then ConcurrencyError and no change", () =>
    Effect.gen(function* () {
      yield* registerDevice("acme", { deviceId: pump, name: "Pump 7" });
      const error = yield* Effect.flip(updateDevice("acme", "pump-7", { name: "Renamed" }, 1));
      assert.strictEqual(error._tag, "ConcurrencyError");
      yield* updateDevice("acme", "pump-7", { name: "Renamed" }, 2);
      const device = yield* getDevice("acme", "pump-7");
      assert.strictEqual(device.name, "Renamed");
      assert.strictEqual(device.version, 3);
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect(
    "given attributes, when patched, then they merge, null removes one, and an unchanged patch appends nothing",
    () =>
      Effect.gen(function* () {
        yield* registerDevice("acme", { deviceId: pump, name: "Pump 7", attributes: { floor: 2, room: "b" } });
        yield* updateDevice("acme", "pump-7", { attributes: { floor: 3, room: null, indoor: true } }, undefined);
        assert.deepStrictEqual((yield* getDevice("acme", "pump-7")).attributes, { floor: 3, indoor: true });
        yield* updateDevice("acme", "pump-7", { name: "Pump 7", attributes: { floor: 3 }, tags: [] }, undefined);
        assert.deepStrictEqual(yield* eventTypes("acme", "pump-7"), [
          "DeviceRegistered",
          "DeviceKeyIssued",
          "DeviceUpdated",
        ]);
      }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given 50 attributes, when a patch adds one more, then ValidationFailed on attributes", () =>
    Effect.gen(function* () {
      const attributes = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`a${i}`, i]));
      yield* registerDevice("acme", { deviceId: pump, name: "Pump 7", attributes });
      const error = yield* Effect.flip(updateDevice("acme", "pump-7", { attributes: { extra: 1 } }, undefined));
      assert.strictEqual(error._tag, "ValidationFailed");
      assert.deepStrictEqual(error._tag === "ValidationFailed" ? error.errors.map((e) => e.field) : [], ["attributes"]);
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given two keys, when rotated with revokeOthers, then only the new key is active", () =>
    Effect.gen(function* () {
      const { key: first } = yield* registerDevice("acme", { deviceId: pump, name: "Pump 7" });
      const second = yield* issueDeviceKey("acme", "pump-7", { revokeOthers: false });
      const third = yield* issueDeviceKey("acme", "pump-7", { revokeOthers: true });
      assert.deepStrictEqual(
        [yield* keyStatus(first.key), yield* keyStatus(second.key), yield* keyStatus(third.key)],
        ["revoked", "revoked", "active"],
      );
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given a key, when revoked twice, then one revocation is recorded; an unknown key is NotFound", () =>
    Effect.gen(function* () {
      const { key } = yield* registerDevice("acme", { deviceId: pump, name: "Pump 7" });
      yield* revokeDeviceKey("acme", "pump-7", key.keyId);
      yield* revokeDeviceKey("acme", "pump-7", key.keyId);
      assert.strictEqual(yield* keyStatus(key.key), "revoked");
      assert.deepStrictEqual(yield* eventTypes("acme", "pump-7"), [
        "DeviceRegistered",
        "DeviceKeyIssued",
        "DeviceKeyRevoked",
      ]);
      const error = yield* Effect.flip(revokeDeviceKey("acme", "pump-7", "000000000000"));
      assert.strictEqual(error._tag, "NotFound");
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect(
    "given a device with keys, when decommissioned, then its keys are revoked and it can no longer change",
    () =>
      Effect.gen(function* () {
        const { key } = yield* registerDevice("acme", { deviceId: pump, name: "Pump 7" });
        const other = yield* issueDeviceKey("acme", "pump-7", { revokeOthers: false });
        yield* decommissionDevice("acme", "pump-7");
        yield* decommissionDevice("acme", "pump-7");
        assert.deepStrictEqual([yield* keyStatus(key.key), yield* keyStatus(other.key)], ["revoked", "revoked"]);
        assert.strictEqual((yield* getDevice("acme", "pump-7")).status, "decommissioned");
        assert.strictEqual(
          (yield* Effect.flip(updateDevice("acme", "pump-7", { name: "x" }, undefined)))._tag,
          "Conflict",
        );
        assert.strictEqual(
          (yield* Effect.flip(issueDeviceKey("acme", "pump-7", { revokeOthers: false })))._tag,
          "Conflict",
        );
        const types = yield* eventTypes("acme", "pump-7");
        assert.strictEqual(types.filter((type) => type === "DeviceDecommissioned").length, 1);
      }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given another plugin's events in the device stream, then If-Match still compares device versions", () =>
    Effect.gen(function* () {
      yield* registerDevice("acme", { deviceId: pump, name: "Pump 7" });
      const store = yield* EventStore;
      // What a reading appended to the same stream by the ingest plugin looks like here.
      yield* store.appendToStream(deviceStreamId("acme", "pump-7"), 2, [
        {
          id: newEventId(),
          type: "TelemetryRecorded",
          schemaVersion: 1,
          occurredAt: new Date().toISOString(),
          tenantId: "acme" as TenantId,
          causationId: null,
          correlationId: "reading",
          traceparent: null,
          payload: { deviceId: "pump-7", values: { temp: 21 } },
        },
      ]);
      const before = yield* findDeviceDocument("acme", "pump-7");
      assert.strictEqual(Option.getOrUndefined(before)?.version, 2);
      yield* updateDevice("acme", "pump-7", { name: "Renamed" }, 2);
      const device = yield* getDevice("acme", "pump-7");
      assert.strictEqual(device.name, "Renamed");
      assert.strictEqual(device.version, 4);
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given a writer racing the command, then the command reads again and succeeds", () =>
    Effect.gen(function* () {
      yield* registerDevice("acme", { deviceId: pump, name: "Pump 7" });
      const store = yield* EventStore;
      const services = yield* Effect.context<PluginServices>();
      let raced = false;
      const racingStore = EventStore.of({
        ...store,
        // The first read ends, then someone else appends before the command does.
        readStream: (streamId, from) =>
          store.readStream(streamId, from).pipe(
            Stream.onEnd(
              raced
                ? Effect.void
                : Effect.suspend(() => {
                    raced = true;
                    return updateDevice("acme", "pump-7", { tags: ["raced"] }, undefined).pipe(
                      Effect.orDie,
                      Effect.provideContext(services),
                    );
                  }),
            ),
          ),
      });
      yield* updateDevice("acme", "pump-7", { name: "Renamed" }, undefined).pipe(
        Effect.provideService(EventStore, racingStore),
      );
      const device = yield* getDevice("acme", "pump-7");
      assert.deepStrictEqual([device.name, device.tags], ["Renamed", ["raced"]]);
      assert.isTrue(raced);
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given the projection runner upserting the same new document first, then the inline fold folds again", () =>
    Effect.gen(function* () {
      const store = yield* ReadModelStore;
      let collisions = 0;
      // The runner's write lands first; ours then fails on the duplicate _id, as on FerretDB.
      const collidingStore = ReadModelStore.of({
        ...store,
        writeMany: (collection, writes) =>
          collisions >= 2
            ? store.writeMany(collection, writes)
            : store.writeMany(collection, writes).pipe(
                Effect.andThen(
                  Effect.suspend(() => {
                    collisions++;
                    return Effect.fail(
                      new ReadModelConstraintViolation({ collection, reason: "E11000 duplicate _id" }),
                    );
                  }),
                ),
              ),
      });
      const { key } = yield* registerDevice("acme", { deviceId: pump, name: "Pump 7" }).pipe(
        Effect.provideService(ReadModelStore, collidingStore),
      );
      assert.strictEqual(collisions, 2);
      assert.strictEqual(yield* keyStatus(key.key), "active");
      assert.strictEqual((yield* getDevice("acme", "pump-7")).version, 2);
    }).pipe(Effect.provide(devicesTestLayer())),
  );
});
