// Tenant commands, given/when/then on the memory layers.
import { assert, describe, it } from "@effect/vitest";
import { Effect } from "effect";
import { authenticate, forgetCachedKeys } from "../../core/index.ts";
import { devicesTestLayer, testAdminToken } from "./devicesTestLayer.ts";
import { createTenant, issueTenantKey, revokeTenantKey } from "./tenantCommands.ts";

describe("tenant commands", () => {
  it.effect("given no tenant, when created twice, then the second is a Conflict", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* createTenant("acme", "Acme"), { tenantId: "acme", name: "Acme" });
      assert.strictEqual((yield* Effect.flip(createTenant("acme", "Acme again")))._tag, "Conflict");
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given no tenant, when a key is asked for it, then NotFound", () =>
    Effect.gen(function* () {
      assert.strictEqual((yield* Effect.flip(issueTenantKey("nobody")))._tag, "NotFound");
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given a tenant key, then it authenticates as that tenant until revoked", () =>
    Effect.gen(function* () {
      forgetCachedKeys();
      yield* createTenant("acme", "Acme");
      const { keyId, key } = yield* issueTenantKey("acme");
      assert.match(key, /^ak_t_/);
      assert.deepStrictEqual(yield* authenticate(`Bearer ${key}`), { kind: "tenant", tenantId: "acme", keyId });
      yield* revokeTenantKey("acme", keyId);
      // No forgetCachedKeys here: the command forgets on its own.
      assert.strictEqual((yield* Effect.flip(authenticate(`Bearer ${key}`)))._tag, "Unauthorized");
      yield* revokeTenantKey("acme", keyId);
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given tenant A's key id, when tenant B revokes it, then NotFound and the key still works", () =>
    Effect.gen(function* () {
      forgetCachedKeys();
      yield* createTenant("acme", "Acme");
      yield* createTenant("globex", "Globex");
      const { keyId, key } = yield* issueTenantKey("acme");
      assert.strictEqual((yield* Effect.flip(revokeTenantKey("globex", keyId)))._tag, "NotFound");
      assert.strictEqual((yield* authenticate(`Bearer ${key}`)).kind, "tenant");
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given the admin token, then authenticate sees the admin", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* authenticate(`Bearer ${testAdminToken}`), { kind: "admin" });
    }).pipe(Effect.provide(devicesTestLayer())),
  );
});
