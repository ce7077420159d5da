// The rm_devices fold, given/when/then: events appended to a memory store, folded with
// applyProjectionBatch exactly as the routes and the runner do.
import { assert, describe, it } from "@effect/vitest";
import { Effect, Option } from "effect";
import {
  applyProjectionBatch,
  EventStore,
  type PendingEvent,
  ReadModelStore,
  type TenantId,
} from "../../core/index.ts";
import {
  DeviceDecommissioned,
  DeviceKeyIssued,
  DeviceKeyRevoked,
  DeviceRegistered,
  DeviceUpdated,
} from "./deviceEvents.ts";
import { deviceDocumentId, deviceStreamId } from "./deviceFields.ts";
import { devicesCollection, devicesProjection } from "./devicesProjection.ts";
import { devicesTestLayer } from "./devicesTestLayer.ts";

const acme = "acme" as TenantId;
const globex = "globex" as TenantId;

const registered = (tenantId: TenantId, deviceId: string, name = "Pump 7") =>
  DeviceRegistered.make(
    { deviceId, name, attributes: { floor: 2, indoor: true }, tags: ["pump"], gatewayFor: [] },
    { tenantId },
  );

/** Appends to the device's stream and folds what was appended. */
const given = (tenantId: TenantId, deviceId: string, events: ReadonlyArray<PendingEvent>) =>
  Effect.gen(function* () {
    const store = yield* EventStore;
    const streamId = deviceStreamId(tenantId, deviceId);
    const stored = yield* store.appendToStream(streamId, yield* store.streamVersion(streamId), events);
    yield* applyProjectionBatch(devicesProjection, stored);
    return stored;
  });

const documentOf = (tenantId: string, deviceId: string) =>
  Effect.flatMap(ReadModelStore, (store) => store.get(devicesCollection, deviceDocumentId(tenantId, deviceId))).pipe(
    Effect.map(Option.getOrUndefined),
  );

describe("devicesProjection", () => {
  it("writes the rm_devices collection", () => {
    assert.strictEqual(devicesCollection, "rm_devices");
  });

  it.effect("given a registration, then the device is active with its fields at version 1", () =>
    Effect.gen(function* () {
      const [event] = yield* given(acme, "pump-7", [registered(acme, "pump-7")]);
      assert.deepStrictEqual(yield* documentOf("acme", "pump-7"), {
        _id: "acme|pump-7",
        tenantId: "acme",
        deviceId: "pump-7",
        name: "Pump 7",
        status: "active",
        attributes: { floor: 2, indoor: true },
        tags: ["pump"],
        gatewayFor: [],
        registeredAt: event?.occurredAt ?? "",
        updatedAt: event?.occurredAt ?? "",
        decommissionedAt: null,
        version: 1,
      });
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given an update of some fields, then only those change and the version follows the stream", () =>
    Effect.gen(function* () {
      yield* given(acme, "pump-7", [registered(acme, "pump-7")]);
      yield* given(acme, "pump-7", [
        DeviceUpdated.make({ deviceId: "pump-7", tags: ["pump", "north"] }, { tenantId: acme }),
      ]);
      const document = yield* documentOf("acme", "pump-7");
      assert.deepStrictEqual(document?.tags, ["pump", "north"]);
      assert.strictEqual(document?.name, "Pump 7");
      assert.deepStrictEqual(document?.attributes, { floor: 2, indoor: true });
      assert.strictEqual(document?.version, 2);
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given key events, then the version moves but no key material reaches the device document", () =>
    Effect.gen(function* () {
      yield* given(acme, "pump-7", [
        registered(acme, "pump-7"),
        DeviceKeyIssued.make({ deviceId: "pump-7", keyId: "k1", keyHash: "h1", gatewayFor: [] }, { tenantId: acme }),
        DeviceKeyRevoked.make(
          { deviceId: "pump-7", keyId: "k1", keyHash: "h1", reason: "revoked" },
          { tenantId: acme },
        ),
      ]);
      const document = yield* documentOf("acme", "pump-7");
      assert.strictEqual(document?.version, 3);
      assert.notInclude(JSON.stringify(document), "h1");
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given a decommission, then the device is decommissioned and keeps its fields", () =>
    Effect.gen(function* () {
      yield* given(acme, "pump-7", [registered(acme, "pump-7")]);
      const [event] = yield* given(acme, "pump-7", [
        DeviceDecommissioned.make({ deviceId: "pump-7" }, { tenantId: acme }),
      ]);
      const document = yield* documentOf("acme", "pump-7");
      assert.strictEqual(document?.status, "decommissioned");
      assert.strictEqual(document?.decommissionedAt, event?.occurredAt);
      assert.strictEqual(document?.name, "Pump 7");
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given two tenants with the same device id, then each has its own document", () =>
    Effect.gen(function* () {
      yield* given(acme, "pump-7", [registered(acme, "pump-7", "Acme pump")]);
      yield* given(globex, "pump-7", [registered(globex, "pump-7", "Globex pump")]);
      yield* given(globex, "pump-7", [DeviceDecommissioned.make({ deviceId: "pump-7" }, { tenantId: globex })]);
      assert.strictEqual((yield* documentOf("acme", "pump-7"))?.status, "active");
      assert.strictEqual((yield* documentOf("acme", "pump-7"))?.name, "Acme pump");
      assert.strictEqual((yield* documentOf("globex", "pump-7"))?.status, "decommissioned");
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given a folded history, when it is delivered again, then the document is unchanged", () =>
    Effect.gen(function* () {
      const first = yield* given(acme, "pump-7", [registered(acme, "pump-7")]);
      const second = yield* given(acme, "pump-7", [
        DeviceUpdated.make({ deviceId: "pump-7", name: "Renamed" }, { tenantId: acme }),
      ]);
      const before = yield* documentOf("acme", "pump-7");
      const outcome = yield* applyProjectionBatch(devicesProjection, [...second, ...first]);
      assert.strictEqual(outcome.eventsApplied, 0);
      assert.deepStrictEqual(yield* documentOf("acme", "pump-7"), before);
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given an update whose registration was never folded, then the gap is read from the store first", () =>
    Effect.gen(function* () {
      const store = yield* EventStore;
      const streamId = deviceStreamId(acme, "pump-7");
      yield* store.appendToStream(streamId, 0, [registered(acme, "pump-7")]);
      const update = yield* store.appendToStream(streamId, 1, [
        DeviceUpdated.make({ deviceId: "pump-7", name: "Renamed" }, { tenantId: acme }),
      ]);
      yield* applyProjectionBatch(devicesProjection, update);
      const document = yield* documentOf("acme", "pump-7");
      assert.strictEqual(document?.name, "Renamed");
      assert.strictEqual(document?.version, 2);
    }).pipe(Effect.provide(devicesTestLayer())),
  );
});
