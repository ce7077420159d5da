/**
 * What the platform operator (admin token) can do to tenants: create one, issue and
 * revoke its keys. A tenant key is the credential its applications manage devices with.
 */
import { Effect } from "effect";
import { Conflict, generateApiKey, NotFound } from "../../core/index.ts";
import type { IssuedKeySecret } from "./deviceCommands.ts";
import { asTenantId, tenantStreamId } from "./deviceFields.ts";
import { runCommand } from "./recordEvents.ts";
import { TenantCreated, TenantKeyIssued, TenantKeyRevoked } from "./tenantEvents.ts";
import { loadTenant, type TenantState } from "./tenantHistory.ts";

const requireTenant = (tenantId: string, state: TenantState) =>
  state.created ? Effect.succeed(state) : Effect.fail(new NotFound({ detail: `no tenant ${tenantId}` }));

/**
 * @example
 * yield* createTenant("acme", "Acme Corp"); // Conflict when it exists
 */
export const createTenant = Effect.fn("devices.createTenant")(function* (tenantId: string, name: string) {
  yield* runCommand(loadTenant(tenantId), tenantStreamId(tenantId), ({ state }) =>
    state.created
      ? Effect.fail(new Conflict({ detail: `tenant ${tenantId} already exists` }))
      : Effect.succeed({
          events: [TenantCreated.make({ tenantId, name }, { tenantId: asTenantId(tenantId) })],
          result: undefined,
        }),
  );
  return { tenantId, name };
});

/**
 * Issues a tenant key (shown once).
 *
 * @example
 * const { keyId, key } = yield* issueTenantKey("acme"); // key = "ak_t_…"
 */
export const issueTenantKey = Effect.fn("devices.issueTenantKey")(function* (tenantId: string) {
  const { result } = yield* runCommand(loadTenant(tenantId), tenantStreamId(tenantId), ({ state }) =>
    Effect.gen(function* () {
      yield* requireTenant(tenantId, state);
      const issued = yield* Effect.promise(() => generateApiKey("tenant"));
      const event = TenantKeyIssued.make(
        { tenantId, keyId: issued.keyId, keyHash: issued.keyHash },
        { tenantId: asTenantId(tenantId) },
      );
      return { events: [event], result: { keyId: issued.keyId, key: issued.key } as IssuedKeySecret };
    }),
  );
  return result;
});

/**
 * Revokes a tenant key; revoking a revoked key changes nothing.
 *
 * @example
 * yield* revokeTenantKey("acme", "3f9a0c1d2e4b");
 */
export const revokeTenantKey = Effect.fn("devices.revokeTenantKey")(function* (tenantId: string, keyId: string) {
  yield* runCommand(loadTenant(tenantId), tenantStreamId(tenantId), ({ state }) =>
    Effect.gen(function* () {
      yield* requireTenant(tenantId, state);
      const key = state.keys.find((candidate) => candidate.keyId === keyId);
      if (key === undefined) return yield* new NotFound({ detail: `tenant ${tenantId} has no key ${keyId}` });
      const events = key.active
        ? [TenantKeyRevoked.make({ tenantId, keyId, keyHash: key.keyHash }, { tenantId: asTenantId(tenantId) })]
        : [];
      return { events, result: undefined };
    }),
  );
});
