/**
 * The devices plugin: tenants and their keys (admin), devices and their keys (tenant
 * keys), the `rm_devices` and `rm_api_keys` read models. Other plugins read devices from
 * `rm_devices` (DeviceDocument) and address a device's stream with deviceStreamId.
 */

import { definePlugin } from "../../core/index.ts";
import { apiKeysProjection } from "./apiKeysProjection.ts";
import { deviceEvents } from "./deviceEvents.ts";
import { deviceOperations } from "./deviceOperations.ts";
import { deviceRoutes } from "./deviceRoutes.ts";
import { devicesProjection } from "./devicesProjection.ts";
import { tenantEvents } from "./tenantEvents.ts";
import { tenantRoutes } from "./tenantRoutes.ts";

export { apiKeysProjection } from "./apiKeysProjection.ts";
export {
  DeviceDecommissioned,
  DeviceKeyIssued,
  DeviceKeyRevoked,
  DeviceRegistered,
  DeviceUpdated,
  deviceEvents,
} from "./deviceEvents.ts";
export {
  type AttributeValue,
  DeviceId,
  type DeviceStatus,
  deviceDocumentId,
  deviceStreamId,
  tenantStreamId,
} from "./deviceFields.ts";
export type { DeviceResponse } from "./deviceQueries.ts";
export { type DeviceDocument, devicesCollection, devicesProjection } from "./devicesProjection.ts";
export { latestCollection } from "./latestValues.ts";
export { TenantCreated, TenantKeyIssued, TenantKeyRevoked, tenantEvents } from "./tenantEvents.ts";

/**
 * @example
 * const loaded = yield* loadPlugins([devicesPlugin, ingestPlugin]);
 */
export const devicesPlugin = definePlugin({
  id: "devices",
  register(api) {
    api.events(...tenantEvents, ...deviceEvents);
    api.projection(devicesProjection);
    api.projection(apiKeysProjection);
    api.routes((context) => tenantRoutes(context));
    api.routes((context) => deviceRoutes(context));
    api.openapi(...deviceOperations);
  },
});
