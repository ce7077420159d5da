/**
 * What happens to a device, in its stream `device-<tenantId>-<deviceId>` (family
 * "devices"). The tenant is the envelope's `tenantId`. Payloads hold whole values, not
 * diffs (DeviceUpdated carries the complete new attributes), so a reader folds them
 * without knowing the merge rules of the API.
 */
import { Schema } from "effect";
import { defineEvent } from "../../core/index.ts";

// Payload schemas check types, not today's limits: a stored event must stay readable if
// the API's rules (patterns, maximum counts) change later.
const DeviceId = Schema.String;
const Attributes = Schema.Record(Schema.String, Schema.Union([Schema.String, Schema.Finite, Schema.Boolean]));
const Tags = Schema.Array(Schema.String);
const GatewayFor = Schema.Array(Schema.String);

/**
 * @example
 * DeviceRegistered.make({ deviceId, name: "Pump 7", attributes: {}, tags: [], gatewayFor: [] }, { tenantId });
 */
export const DeviceRegistered = defineEvent({
  type: "DeviceRegistered",
  family: "devices",
  payload: Schema.Struct({
    deviceId: DeviceId,
    name: Schema.String,
    attributes: Attributes,
    tags: Tags,
    /** The other devices of the tenant this one may send telemetry for (a gateway). */
    gatewayFor: GatewayFor,
  }),
});

/**
 * Only the fields that changed are present, each with its complete new value.
 *
 * @example
 * DeviceUpdated.make({ deviceId, tags: ["pump", "north"] }, { tenantId });
 */
export const DeviceUpdated = defineEvent({
  type: "DeviceUpdated",
  family: "devices",
  payload: Schema.Struct({
    deviceId: DeviceId,
    name: Schema.optionalKey(Schema.String),
    attributes: Schema.optionalKey(Attributes),
    tags: Schema.optionalKey(Tags),
  }),
});

/**
 * The device's keys are revoked by DeviceKeyRevoked events appended with this one.
 *
 * @example
 * DeviceDecommissioned.make({ deviceId }, { tenantId });
 */
export const DeviceDecommissioned = defineEvent({
  type: "DeviceDecommissioned",
  family: "devices",
  payload: Schema.Struct({ deviceId: DeviceId }),
});

/**
 * `gatewayFor` is the key's scope when issued (the ingest plugin reads it from `rm_api_keys`).
 *
 * @example
 * DeviceKeyIssued.make({ deviceId, keyId, keyHash, gatewayFor: [] }, { tenantId });
 */
export const DeviceKeyIssued = defineEvent({
  type: "DeviceKeyIssued",
  family: "devices",
  payload: Schema.Struct({ deviceId: DeviceId, keyId: Schema.String, keyHash: Schema.String, gatewayFor: GatewayFor }),
});

export const KeyRevocationReason = Schema.Literals(["revoked", "rotated", "decommissioned"]);

/**
 * @example
 * DeviceKeyRevoked.make({ deviceId, keyId, keyHash, reason: "rotated" }, { tenantId });
 */
export const DeviceKeyRevoked = defineEvent({
  type: "DeviceKeyRevoked",
  family: "devices",
  payload: Schema.Struct({
    deviceId: DeviceId,
    keyId: Schema.String,
    keyHash: Schema.String,
    reason: KeyRevocationReason,
  }),
});

export const deviceEvents = [
  DeviceRegistered,
  DeviceUpdated,
  DeviceDecommissioned,
  DeviceKeyIssued,
  DeviceKeyRevoked,
] as const;
