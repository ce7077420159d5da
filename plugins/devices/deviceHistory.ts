/**
 * A device as its commands see it, folded from its stream: whether it is registered,
 * its current fields and every key ever issued to it.
 */
import type { EventOf } from "../../core/index.ts";
import { deviceEvents } from "./deviceEvents.ts";
import { type AttributeValue, type DeviceStatus, deviceStreamId } from "./deviceFields.ts";
import { foldStream } from "./streamFold.ts";

export interface IssuedKey {
  readonly keyId: string;
  readonly keyHash: string;
  readonly active: boolean;
}

export interface DeviceState {
  readonly registered: boolean;
  readonly status: DeviceStatus;
  readonly name: string;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly tags: ReadonlyArray<string>;
  readonly gatewayFor: ReadonlyArray<string>;
  readonly keys: ReadonlyArray<IssuedKey>;
}

export const unregisteredDevice: DeviceState = {
  registered: false,
  status: "active",
  name: "",
  attributes: {},
  tags: [],
  gatewayFor: [],
  keys: [],
};

type DeviceEvent = EventOf<(typeof deviceEvents)[number]>;

/**
 * The state after one more event.
 *
 * @example
 * const state = events.reduce(evolveDevice, unregisteredDevice);
 */
export const evolveDevice = (state: DeviceState, event: DeviceEvent): DeviceState => {
  switch (event.type) {
    case "DeviceRegistered": {
      const { name, attributes, tags, gatewayFor } = event.payload;
      return { ...state, registered: true, status: "active", name, attributes, tags, gatewayFor };
    }
    case "DeviceUpdated": {
      const { deviceId: _deviceId, ...changes } = event.payload;
      return { ...state, ...changes };
    }
    case "DeviceDecommissioned":
      return { ...state, status: "decommissioned" };
    case "DeviceKeyIssued":
      return {
        ...state,
        keys: [...state.keys, { keyId: event.payload.keyId, keyHash: event.payload.keyHash, active: true }],
      };
    case "DeviceKeyRevoked":
      return {
        ...state,
        keys: state.keys.map((key) => (key.keyId === event.payload.keyId ? { ...key, active: false } : key)),
      };
  }
};

/**
 * @example
 * const { state, streamVersion, ownVersion } = yield* loadDevice("acme", "pump-7");
 */
export const loadDevice = (tenantId: string, deviceId: string) =>
  foldStream(deviceStreamId(tenantId, deviceId), deviceEvents, unregisteredDevice, evolveDevice);
