/**
 * Who may touch which device. Ingest refuses decommissioned devices, read from the devices
 * plugin's `rm_devices` read model when it exists (without that plugin every device is
 * active); statuses are cached for a few seconds, like API keys, so a decommission applies
 * everywhere within the cache's lifetime. Reads are scoped to the credential's tenant.
 */
import { Effect, Option } from "effect";
import { Forbidden, type Principal, ReadModelStore, type ReadModelStoreUnavailable } from "../../core/index.ts";
import { deviceDocumentId } from "./streamAndDocumentIds.ts";

/** The devices plugin's read model: `{status: "active" | "decommissioned", ...}` under `<tenantId>|<deviceId>`. */
export const devicesCollection = "rm_devices";

export interface DeviceStatusLookup {
  /** The devices among `deviceIds` (of one tenant) that are decommissioned. */
  decommissioned(
    tenantId: string,
    deviceIds: ReadonlyArray<string>,
    nowMs: number,
  ): Effect.Effect<ReadonlySet<string>, ReadModelStoreUnavailable, ReadModelStore>;
}

/**
 * @example
 * const lookup = makeDeviceStatusLookup({ ttlMs: 5_000 });
 * const refused = yield* lookup.decommissioned("acme", ["pump-1", "pump-2"], now);
 */
export const makeDeviceStatusLookup = (options: { readonly ttlMs: number }): DeviceStatusLookup => {
  const cache = new Map<string, { readonly decommissioned: boolean; readonly expiresAt: number }>();
  const statusOf = (documentId: string, nowMs: number) =>
    Effect.gen(function* () {
      const cached = cache.get(documentId);
      if (cached !== undefined && cached.expiresAt > nowMs) return cached.decommissioned;
      const store = yield* ReadModelStore;
      // One read per device not seen within the TTL; the cache spares the store the rest.
      const found = yield* store.get(devicesCollection, documentId);
      const decommissioned = Option.isSome(found) && found.value.status === "decommissioned";
      if (cache.size > 100_000) cache.clear();
      cache.set(documentId, { decommissioned, expiresAt: nowMs + options.ttlMs });
      return decommissioned;
    });
  return {
    decommissioned: (tenantId, deviceIds, nowMs) =>
      Effect.forEach(
        [...new Set(deviceIds)],
        (deviceId) =>
          Effect.map(statusOf(deviceDocumentId(tenantId, deviceId), nowMs), (refused) => (refused ? [deviceId] : [])),
        { concurrency: 16 },
      ).pipe(Effect.map((found) => new Set(found.flat()))),
  };
};

/**
 * Whether the devices plugin knows the device (false when that plugin is not loaded).
 *
 * @example
 * const known = yield* deviceIsRegistered("acme", "pump-1");
 */
export const deviceIsRegistered = (tenantId: string, deviceId: string) =>
  ReadModelStore.use((store) => store.get(devicesCollection, deviceDocumentId(tenantId, deviceId))).pipe(
    Effect.map(Option.isSome),
  );

/**
 * The tenant whose data a principal reads for a device: a tenant key reads its tenant's
 * devices, a device key its own device only; the admin token reads no telemetry.
 *
 * @example
 * const tenantId = yield* readerTenantFor(principal, "pump-1");
 */
export const readerTenantFor = (principal: Principal, deviceId: string): Effect.Effect<string, Forbidden> => {
  if (principal.kind === "tenant") return Effect.succeed(principal.tenantId);
  if (principal.kind === "device" && principal.deviceId === deviceId) return Effect.succeed(principal.tenantId);
  const detail =
    principal.kind === "device"
      ? `a device key reads its own device only, not ${deviceId}`
      : "telemetry is read with a tenant or device key";
  return Effect.fail(new Forbidden({ detail }));
};
