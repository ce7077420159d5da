/**
 * The validated shapes of tenant and device fields, shared by request bodies, events and
 * read-model documents, and the ids of the streams and documents built from them. The
 * patterns keep every id safe as a MongoDB field name, a Kafka key and a URL segment.
 */
import { Schema } from "effect";
import type { StreamId, TenantId } from "../../core/index.ts";

/**
 * Tenant ids: letters, digits and `_` only. No `-`, so `device-<tenantId>-<deviceId>`
 * splits unambiguously: with dashes, tenant "a-b" + device "c" and tenant "a" + device
 * "b-c" would share a stream.
 */
export const TenantIdField = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9_]{1,64}$/, { message: "tenant ids are 1-64 letters, digits or _" }),
).pipe(Schema.brand("TenantId"));

const devicePattern = /^[A-Za-z0-9._:-]{1,100}$/;

/** Device ids as the contract gives them, except "." and "..", which no URL can address. */
export const DeviceId = Schema.String.check(
  Schema.isPattern(devicePattern, { message: "device ids are 1-100 letters, digits or . _ : -" }),
  Schema.makeFilter((id: string) => (id === "." || id === ".." ? "a device id cannot be . or .." : undefined)),
).pipe(Schema.brand("DeviceId"));
export type DeviceId = typeof DeviceId.Type;

export const Tag = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9._:-]{1,64}$/, { message: "tags are 1-64 letters, digits or . _ : -" }),
);

/** Public key ids: the first 12 hex characters of the key's SHA-256 (see generateApiKey). */
export const KeyId = Schema.String.check(Schema.isPattern(/^[0-9a-f]{12}$/, { message: "key ids are 12 hex digits" }));

export const DisplayName = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200));

/**
 * Attribute names become field names of the stored document: no "." and no leading "$"
 * (MongoDB refuses them) and no leading "_" (`__proto__` would reach a prototype).
 */
export const AttributeName = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9_:-]{0,63}$/, {
    message: "attribute names are 1-64 letters, digits or _ : -, starting with a letter or digit",
  }),
);

export const AttributeValue = Schema.Union([
  Schema.String.check(Schema.isMaxLength(256)),
  Schema.Finite,
  Schema.Boolean,
]);
export type AttributeValue = typeof AttributeValue.Type;

export const maxAttributes = 50;
export const maxTags = 20;
export const maxGatewayDevices = 100;

export const Attributes = Schema.Record(Schema.String, AttributeValue).check(
  Schema.isMaxProperties(maxAttributes),
  Schema.isPropertyNames(AttributeName),
);
export type Attributes = typeof Attributes.Type;

export const Tags = Schema.Array(Tag).check(Schema.isMaxLength(maxTags));
export const GatewayFor = Schema.Array(DeviceId).check(Schema.isMaxLength(maxGatewayDevices));

export const DeviceStatus = Schema.Literals(["active", "decommissioned"]);
export type DeviceStatus = typeof DeviceStatus.Type;

/**
 * The stream holding a device's lifecycle events.
 *
 * @example
 * deviceStreamId("acme", "pump-7") // "device-acme-pump-7"
 */
export const deviceStreamId = (tenantId: string, deviceId: string): StreamId =>
  `device-${tenantId}-${deviceId}` as StreamId;

/**
 * The stream holding a tenant's lifecycle and key events.
 *
 * @example
 * tenantStreamId("acme") // "tenant-acme"
 */
export const tenantStreamId = (tenantId: string): StreamId => `tenant-${tenantId}` as StreamId;

/**
 * The `_id` of a device's `rm_devices` document (and of its `rm_latest` document): "|"
 * appears in neither id, so the pair is unambiguous.
 *
 * @example
 * deviceDocumentId("acme", "pump-7") // "acme|pump-7"
 */
export const deviceDocumentId = (tenantId: string, deviceId: string): string => `${tenantId}|${deviceId}`;

/** Keeps the first occurrence of each value (tags and gateway lists are sets). */
export const distinct = <A>(values: ReadonlyArray<A>): ReadonlyArray<A> => [...new Set(values)];

/** A tenant id already checked by TenantIdField, or taken from a credential. */
export const asTenantId = (tenantId: string): TenantId => tenantId as TenantId;
