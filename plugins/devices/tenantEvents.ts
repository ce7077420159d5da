/**
 * What happens to a tenant, in its stream `tenant-<tenantId>` (family "tenants"). Key
 * events carry the key's SHA-256 (never the secret): it is the id of the key's record in
 * `rm_api_keys`, so revocations need it too.
 */
import { Schema } from "effect";
import { defineEvent } from "../../core/index.ts";

/**
 * @example
 * TenantCreated.make({ tenantId: "acme", name: "Acme Corp" }, { tenantId: asTenantId("acme") });
 */
export const TenantCreated = defineEvent({
  type: "TenantCreated",
  family: "tenants",
  payload: Schema.Struct({ tenantId: Schema.String, name: Schema.String }),
});

/**
 * @example
 * TenantKeyIssued.make({ tenantId: "acme", keyId, keyHash }, { tenantId: asTenantId("acme") });
 */
export const TenantKeyIssued = defineEvent({
  type: "TenantKeyIssued",
  family: "tenants",
  payload: Schema.Struct({ tenantId: Schema.String, keyId: Schema.String, keyHash: Schema.String }),
});

/**
 * @example
 * TenantKeyRevoked.make({ tenantId: "acme", keyId, keyHash }, { tenantId: asTenantId("acme") });
 */
export const TenantKeyRevoked = defineEvent({
  type: "TenantKeyRevoked",
  family: "tenants",
  payload: Schema.Struct({ tenantId: Schema.String, keyId: Schema.String, keyHash: Schema.String }),
});

export const tenantEvents = [TenantCreated, TenantKeyIssued, TenantKeyRevoked] as const;
