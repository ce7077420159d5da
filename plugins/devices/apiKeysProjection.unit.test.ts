// The rm_api_keys fold, given/when/then, and that core's authenticate accepts and
// refuses the keys it describes.
import { assert, describe, it } from "@effect/vitest";
import { Effect, Option, Schema } from "effect";
import { ApiKeyRecord } from "../../core/auth/ApiKeys.ts";
import {
  apiKeysCollection,
  applyProjectionBatch,
  authenticate,
  EventStore,
  forgetCachedKeys,
  generateApiKey,
  type PendingEvent,
  ReadModelStore,
  type StreamId,
  type TenantId,
} from "../../core/index.ts";
import { apiKeysProjection } from "./apiKeysProjection.ts";
import { DeviceDecommissioned, DeviceKeyIssued, DeviceKeyRevoked } from "./deviceEvents.ts";
import { deviceStreamId, tenantStreamId } from "./deviceFields.ts";
import { devicesTestLayer } from "./devicesTestLayer.ts";
import { TenantCreated, TenantKeyIssued, TenantKeyRevoked } from "./tenantEvents.ts";

const acme = "acme" as TenantId;

const given = (streamId: StreamId, events: ReadonlyArray<PendingEvent>) =>
  Effect.gen(function* () {
    const store = yield* EventStore;
    const stored = yield* store.appendToStream(streamId, yield* store.streamVersion(streamId), events);
    yield* applyProjectionBatch(apiKeysProjection, stored);
  });

const recordOf = (keyHash: string) =>
  Effect.flatMap(ReadModelStore, (store) => store.get(apiKeysCollection, keyHash)).pipe(
    Effect.map(Option.getOrUndefined),
  );

/** The record without `_id`, decoded strictly: proves the exact ApiKeyRecord shape. */
const strictRecord = (view: Record<string, unknown> | undefined) => {
  const { _id, ...record } = view ?? {};
  return Schema.decodeUnknownSync(ApiKeyRecord)(record, { onExcessProperty: "error" });
};

const deviceKey = (deviceId: string, keyId: string, keyHash: string, gatewayFor: ReadonlyArray<string> = []) =>
  DeviceKeyIssued.make({ deviceId, keyId, keyHash, gatewayFor }, { tenantId: acme });

describe("apiKeysProjection", () => {
  it("writes the collection authenticate reads", () => {
    assert.strictEqual(apiKeysProjection.collection, apiKeysCollection);
  });

  it.effect("given a tenant key issued, then its record is an active tenant key under its hash", () =>
    Effect.gen(function* () {
      yield* given(tenantStreamId(acme), [
        TenantCreated.make({ tenantId: acme, name: "Acme" }, { tenantId: acme }),
        TenantKeyIssued.make({ tenantId: acme, keyId: "aaaaaaaaaaaa", keyHash: "hash-t1" }, { tenantId: acme }),
      ]);
      const view = yield* recordOf("hash-t1");
      assert.strictEqual(view?._id, "hash-t1");
      assert.deepStrictEqual(strictRecord(view), {
        kind: "tenant",
        keyId: "aaaaaaaaaaaa",
        tenantId: "acme",
        status: "active",
      });
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given a gateway's device key, then its record names the device and what it may send for", () =>
    Effect.gen(function* () {
      yield* given(deviceStreamId(acme, "gw-1"), [deviceKey("gw-1", "bbbbbbbbbbbb", "hash-d1", ["pump-7"])]);
      assert.deepStrictEqual(strictRecord(yield* recordOf("hash-d1")), {
        kind: "device",
        keyId: "bbbbbbbbbbbb",
        tenantId: "acme",
        deviceId: "gw-1",
        gatewayFor: ["pump-7"],
        status: "active",
      });
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given a key revoked, then only that key's record is revoked", () =>
    Effect.gen(function* () {
      const streamId = tenantStreamId(acme);
      yield* given(streamId, [
        TenantKeyIssued.make({ tenantId: acme, keyId: "k1", keyHash: "hash-1" }, { tenantId: acme }),
        TenantKeyIssued.make({ tenantId: acme, keyId: "k2", keyHash: "hash-2" }, { tenantId: acme }),
      ]);
      yield* given(streamId, [
        TenantKeyRevoked.make({ tenantId: acme, keyId: "k1", keyHash: "hash-1" }, { tenantId: acme }),
      ]);
      assert.strictEqual((yield* recordOf("hash-1"))?.status, "revoked");
      assert.strictEqual((yield* recordOf("hash-2"))?.status, "active");
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given a decommission appended with its revocations, then every key of the device is revoked", () =>
    Effect.gen(function* () {
      const streamId = deviceStreamId(acme, "pump-7");
      yield* given(streamId, [deviceKey("pump-7", "k1", "hash-1"), deviceKey("pump-7", "k2", "hash-2")]);
      yield* given(streamId, [
        DeviceKeyRevoked.make(
          { deviceId: "pump-7", keyId: "k1", keyHash: "hash-1", reason: "decommissioned" },
          { tenantId: acme },
        ),
        DeviceKeyRevoked.make(
          { deviceId: "pump-7", keyId: "k2", keyHash: "hash-2", reason: "decommissioned" },
          { tenantId: acme },
        ),
        DeviceDecommissioned.make({ deviceId: "pump-7" }, { tenantId: acme }),
      ]);
      assert.strictEqual((yield* recordOf("hash-1"))?.status, "revoked");
      assert.strictEqual((yield* recordOf("hash-2"))?.status, "revoked");
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given a revocation folded before its issue (redelivery order), then the key stays revoked", () =>
    Effect.gen(function* () {
      const store = yield* EventStore;
      const streamId = deviceStreamId(acme, "pump-7");
      const issued = yield* store.appendToStream(streamId, 0, [deviceKey("pump-7", "k1", "hash-1")]);
      const revoked = yield* store.appendToStream(streamId, 1, [
        DeviceKeyRevoked.make(
          { deviceId: "pump-7", keyId: "k1", keyHash: "hash-1", reason: "revoked" },
          { tenantId: acme },
        ),
      ]);
      yield* applyProjectionBatch(apiKeysProjection, revoked);
      yield* applyProjectionBatch(apiKeysProjection, issued);
      assert.strictEqual((yield* recordOf("hash-1"))?.status, "revoked");
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given a projected device key, then authenticate accepts it until it is revoked", () =>
    Effect.gen(function* () {
      forgetCachedKeys();
      const secret = yield* Effect.promise(() => generateApiKey("device"));
      const streamId = deviceStreamId(acme, "pump-7");
      yield* given(streamId, [deviceKey("pump-7", secret.keyId, secret.keyHash)]);
      const principal = yield* authenticate(`Bearer ${secret.key}`);
      assert.deepStrictEqual(principal, {
        kind: "device",
        tenantId: "acme",
        deviceId: "pump-7",
        keyId: secret.keyId,
        gatewayFor: [],
      });
      yield* given(streamId, [
        DeviceKeyRevoked.make(
          { deviceId: "pump-7", keyId: secret.keyId, keyHash: secret.keyHash, reason: "revoked" },
          { tenantId: acme },
        ),
      ]);
      forgetCachedKeys();
      const refused = yield* Effect.flip(authenticate(`Bearer ${secret.key}`));
      assert.strictEqual(refused._tag, "Unauthorized");
    }).pipe(Effect.provide(devicesTestLayer())),
  );
});
