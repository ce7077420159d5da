/**
 * Resolves `Authorization: Bearer <secret>` to a Principal: the admin token from config,
 * or an API key looked up by its hash in `rm_api_keys`. Lookups are cached for a few
 * seconds (ingest calls this on every request); a revocation therefore takes effect
 * within `cacheTtlMs` on every process.
 */
import { Effect, Option } from "effect";
import { AppConfig } from "../config/AppConfig.ts";
import { bearerToken, constantTimeEquals } from "../http/bearerToken.ts";
import { Forbidden, Unauthorized } from "../http/Errors.ts";
import { ReadModelStore } from "../projections/ReadModelStore.ts";
import { type ApiKeyRecord, apiKeysCollection, hashApiKey, type Principal } from "./ApiKeys.ts";

export const cacheTtlMs = 5_000;
const cache = new Map<string, { readonly record: ApiKeyRecord | undefined; readonly expiresAt: number }>();

const lookup = (keyHash: string) =>
  Effect.gen(function* () {
    const cached = cache.get(keyHash);
    if (cached !== undefined && cached.expiresAt > Date.now()) return cached.record;
    const store = yield* ReadModelStore;
    const found = yield* store.get(apiKeysCollection, keyHash);
    const record = Option.isSome(found) ? (found.value as unknown as ApiKeyRecord) : undefined;
    if (cache.size > 100_000) cache.clear();
    cache.set(keyHash, { record, expiresAt: Date.now() + cacheTtlMs });
    return record;
  });

/** Forgets cached lookups (tests; and the process that revoked a key, so it applies at once). */
export const forgetCachedKeys = (): void => cache.clear();

/**
 * @example
 * const principal = yield* authenticate(c.req.header("authorization"));
 */
export const authenticate = Effect.fn("authenticate")(function* (authorization: string | undefined) {
  const secret = bearerToken(authorization);
  if (secret === undefined)
    return yield* new Unauthorized({ detail: "an Authorization: Bearer credential is required" });
  const config = yield* AppConfig;
  if (config.ANANSKY_ADMIN_TOKEN !== undefined && constantTimeEquals(secret, config.ANANSKY_ADMIN_TOKEN)) {
    return { kind: "admin" } satisfies Principal as Principal;
  }
  const record = yield* lookup(yield* Effect.promise(() => hashApiKey(secret))).pipe(Effect.orDie);
  if (record === undefined) return yield* new Unauthorized({ detail: "unknown credential" });
  if (record.status === "revoked") return yield* new Unauthorized({ detail: `key ${record.keyId} is revoked` });
  if (record.kind === "tenant") return { kind: "tenant", tenantId: record.tenantId, keyId: record.keyId } as Principal;
  return {
    kind: "device",
    tenantId: record.tenantId,
    deviceId: record.deviceId ?? "",
    keyId: record.keyId,
    gatewayFor: record.gatewayFor ?? [],
  } as Principal;
});

/**
 * Fails unless the principal is of one of the given kinds.
 *
 * @example
 * const tenant = yield* requireKind(principal, ["tenant"]);
 */
export const requireKind = <K extends Principal["kind"]>(
  principal: Principal,
  kinds: ReadonlyArray<K>,
): Effect.Effect<Extract<Principal, { kind: K }>, Forbidden> =>
  (kinds as ReadonlyArray<string>).includes(principal.kind)
    ? Effect.succeed(principal as Extract<Principal, { kind: K }>)
    : Effect.fail(new Forbidden({ detail: `this needs a ${kinds.join(" or ")} credential` }));
