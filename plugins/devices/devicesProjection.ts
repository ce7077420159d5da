/**
 * The `devices` projection: one `rm_devices` document per device, `_id` =
 * `<tenantId>|<deviceId>`, read by the device routes and, through the exported
 * DeviceDocument type, by the ingest plugin and the alert rules (attributes, tags, status).
 */
import { defineProjection } from "../../core/index.ts";
import {
  DeviceDecommissioned,
  DeviceKeyIssued,
  DeviceKeyRevoked,
  DeviceRegistered,
  DeviceUpdated,
} from "./deviceEvents.ts";
import { type AttributeValue, type DeviceStatus, deviceDocumentId } from "./deviceFields.ts";

/** A device as `rm_devices` stores it (without `_id`). */
export interface DeviceDocument extends Record<string, unknown> {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly name: string;
  readonly status: DeviceStatus;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly tags: ReadonlyArray<string>;
  /** The other devices of the tenant this one may send telemetry for (a gateway). */
  readonly gatewayFor: ReadonlyArray<string>;
  /** ISO 8601 UTC. */
  readonly registeredAt: string;
  /** When the name, attributes, tags or status last changed. */
  readonly updatedAt: string;
  readonly decommissionedAt: string | null;
  /** The stream version of the device's last event: what `If-Match` is compared with. */
  readonly version: number;
}

/**
 * @example
 * yield* applyProjectionBatch(devicesProjection, appendedEnvelopes);
 */
export const devicesProjection = defineProjection({
  name: "devices",
  version: 1,
  events: [DeviceRegistered, DeviceUpdated, DeviceDecommissioned, DeviceKeyIssued, DeviceKeyRevoked],
  key: (event) => deviceDocumentId(event.tenantId, event.payload.deviceId),
  apply: (doc: DeviceDocument | undefined, event): DeviceDocument | undefined => {
    const version = event.streamVersion;
    switch (event.type) {
      case "DeviceRegistered":
        return {
          tenantId: event.tenantId,
          deviceId: event.payload.deviceId,
          name: event.payload.name,
          status: "active",
          attributes: event.payload.attributes,
          tags: event.payload.tags,
          gatewayFor: event.payload.gatewayFor,
          registeredAt: event.occurredAt,
          updatedAt: event.occurredAt,
          decommissionedAt: null,
          version,
        };
      case "DeviceUpdated": {
        const { deviceId: _deviceId, ...changes } = event.payload;
        return doc && { ...doc, ...changes, updatedAt: event.occurredAt, version };
      }
      case "DeviceDecommissioned":
        return (
          doc && {
            ...doc,
            status: "decommissioned",
            decommissionedAt: event.occurredAt,
            updatedAt: event.occurredAt,
            version,
          }
        );
      case "DeviceKeyIssued":
      case "DeviceKeyRevoked":
        // Keys live in rm_api_keys; the version still moves, as If-Match sees the stream.
        return doc && { ...doc, version };
    }
  },
  indexes: [{ keys: { tenantId: 1, deviceId: 1 }, unique: true }, { keys: { tenantId: 1, tags: 1 } }],
});

/** The collection of DeviceDocument: `rm_devices`. */
export const devicesCollection = devicesProjection.collection;
