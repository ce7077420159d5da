/**
 * The `api_keys` projection: the `rm_api_keys` read model that `authenticate` reads, one
 * ApiKeyRecord per issued key, `_id` = the key's SHA-256. It is named `api_keys` (not
 * `api-keys`) because a projection's collection is `rm_<name>`.
 *
 * It folds key events only. A decommission revokes many keys, and a projection event
 * changes one document, so decommissioning appends one DeviceKeyRevoked per active key
 * together with DeviceDecommissioned (see decommissionDevice).
 */
import { type ApiKeyRecord, defineProjection } from "../../core/index.ts";
import { DeviceKeyIssued, DeviceKeyRevoked } from "./deviceEvents.ts";
import { TenantKeyIssued, TenantKeyRevoked } from "./tenantEvents.ts";

// ApiKeyRecord is a Schema type; defineProjection wants a record type.
type ApiKeyDocument = ApiKeyRecord & Record<string, unknown>;

/**
 * @example
 * yield* applyProjectionBatch(apiKeysProjection, appendedEnvelopes);
 */
export const apiKeysProjection = defineProjection({
  name: "api_keys",
  version: 1,
  events: [TenantKeyIssued, TenantKeyRevoked, DeviceKeyIssued, DeviceKeyRevoked],
  key: (event) => event.payload.keyHash,
  apply: (doc: ApiKeyDocument | undefined, event): ApiKeyDocument => {
    switch (event.type) {
      case "TenantKeyIssued":
        return { kind: "tenant", keyId: event.payload.keyId, tenantId: event.tenantId, status: "active" };
      case "DeviceKeyIssued":
        return {
          kind: "device",
          keyId: event.payload.keyId,
          tenantId: event.tenantId,
          deviceId: event.payload.deviceId,
          gatewayFor: event.payload.gatewayFor,
          status: "active",
        };
      // A revocation without its issue (never expected) still leaves a revoked record: fail closed.
      case "TenantKeyRevoked":
        return doc === undefined
          ? { kind: "tenant", keyId: event.payload.keyId, tenantId: event.tenantId, status: "revoked" }
          : { ...doc, status: "revoked" };
      case "DeviceKeyRevoked":
        return doc === undefined
          ? {
              kind: "device",
              keyId: event.payload.keyId,
              tenantId: event.tenantId,
              deviceId: event.payload.deviceId,
              gatewayFor: [],
              status: "revoked",
            }
          : { ...doc, status: "revoked" };
    }
  },
});
