/**
 * API keys: how tenants' applications and devices authenticate. A key is shown once at
 * creation; the platform keeps only its SHA-256 hash, as the id of a record in the
 * `rm_api_keys` read model (kept by the devices plugin from its key events), so a lookup
 * is one point read by `_id` and a stolen database holds no usable secret.
 */
import { Schema } from "effect";
import { sha256Hex } from "../encoding/hex.ts";

/** The read model holding one record per issued key, `_id` = the key's SHA-256 hex. */
export const apiKeysCollection = "rm_api_keys";

export const ApiKeyRecord = Schema.Struct({
  kind: Schema.Literals(["tenant", "device"]),
  keyId: Schema.String,
  tenantId: Schema.String,
  /** For device keys: the device the key belongs to. */
  deviceId: Schema.optionalKey(Schema.String),
  /** For gateway device keys: the other devices of the tenant it may send for. */
  gatewayFor: Schema.optionalKey(Schema.Array(Schema.String)),
  status: Schema.Literals(["active", "revoked"]),
});
export type ApiKeyRecord = typeof ApiKeyRecord.Type;

/** Who is calling. */
export type Principal =
  | { readonly kind: "admin" }
  | { readonly kind: "tenant"; readonly tenantId: string; readonly keyId: string }
  | {
      readonly kind: "device";
      readonly tenantId: string;
      readonly deviceId: string;
      readonly keyId: string;
      readonly gatewayFor: ReadonlyArray<string>;
    };

/** SHA-256 of a secret, hex. Keys carry 256 random bits, so a fast unsalted hash is enough. */
export const hashApiKey = (secret: string): Promise<string> => sha256Hex(secret);

/**
 * A new secret and its public id (the first 12 hex chars of its hash, safe to show and log).
 *
 * @example
 * const { key, keyId, keyHash } = await generateApiKey("device"); // key = "ak_d_…", shown once
 */
export const generateApiKey = async (
  kind: ApiKeyRecord["kind"],
): Promise<{ readonly key: string; readonly keyId: string; readonly keyHash: string }> => {
  const random = crypto.getRandomValues(new Uint8Array(32));
  const key = `ak_${kind === "tenant" ? "t" : "d"}_${btoa(String.fromCharCode(...random)).replace(/[+/=]/g, (c) => (c === "+" ? "-" : c === "/" ? "_" : ""))}`;
  const keyHash = await hashApiKey(key);
  return { key, keyId: keyHash.slice(0, 12), keyHash };
};
