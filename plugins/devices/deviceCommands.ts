/**
 * What a tenant's application can do to its devices. Each command folds the device's
 * stream, decides, and appends at the version it read (see runCommand); every stream id
 * is built from the caller's tenant, so a command can never touch another tenant's device.
 */
import { Effect } from "effect";
import { ConcurrencyError, Conflict, generateApiKey, NotFound, type PendingEvent } from "../../core/index.ts";
import {
  DeviceDecommissioned,
  DeviceKeyIssued,
  DeviceKeyRevoked,
  DeviceRegistered,
  DeviceUpdated,
} from "./deviceEvents.ts";
import { type AttributeValue, asTenantId, type DeviceId, deviceStreamId, distinct } from "./deviceFields.ts";
import { type DeviceState, loadDevice } from "./deviceHistory.ts";
import { attributeChanges, type DevicePatch, tagChanges } from "./devicePatch.ts";
import { runCommand } from "./recordEvents.ts";

export interface RegisterDeviceInput {
  readonly deviceId?: DeviceId | undefined;
  readonly name: string;
  readonly attributes?: Readonly<Record<string, AttributeValue>> | undefined;
  readonly tags?: ReadonlyArray<string> | undefined;
  readonly gatewayFor?: ReadonlyArray<DeviceId> | undefined;
}

/** A key as shown to its owner, once. */
export interface IssuedKeySecret {
  readonly keyId: string;
  readonly key: string;
}

/** `"*"`: any version of an existing device (If-Match: *). */
export type ExpectedDeviceVersion = number | "*" | undefined;

const noDevice = (deviceId: string) => new NotFound({ detail: `no device ${deviceId}` });

/** Fails unless the device is registered and (when If-Match was given) at the expected version. */
const requireDevice = (
  deviceId: string,
  folded: { readonly state: DeviceState; readonly ownVersion: number },
  streamId: string,
  expected: ExpectedDeviceVersion = "*",
): Effect.Effect<DeviceState, NotFound | ConcurrencyError> => {
  if (!folded.state.registered) return Effect.fail(noDevice(deviceId));
  if (expected !== "*" && expected !== folded.ownVersion) {
    return Effect.fail(new ConcurrencyError({ streamId, expectedVersion: expected, actualVersion: folded.ownVersion }));
  }
  return Effect.succeed(folded.state);
};

const requireActive = (deviceId: string, state: DeviceState) =>
  state.status === "active"
    ? Effect.void
    : Effect.fail(new Conflict({ detail: `device ${deviceId} is decommissioned` }));

const newDeviceKey = Effect.promise(() => generateApiKey("device"));

/**
 * Registers a device with its first key (shown once). A missing deviceId gets a UUID.
 *
 * @example
 * const { deviceId, key } = yield* registerDevice("acme", { name: "Pump 7", tags: ["pump"] });
 */
export const registerDevice = Effect.fn("devices.registerDevice")(function* (
  tenantId: string,
  input: RegisterDeviceInput,
) {
  const deviceId = input.deviceId ?? crypto.randomUUID();
  const meta = { tenantId: asTenantId(tenantId) };
  // A gateway sends for other devices; naming itself adds nothing.
  const gatewayFor = distinct(input.gatewayFor ?? []).filter((id) => id !== deviceId);
  const streamId = deviceStreamId(tenantId, deviceId);
  const { result } = yield* runCommand(loadDevice(tenantId, deviceId), streamId, ({ state }) =>
    Effect.gen(function* () {
      if (state.registered) return yield* new Conflict({ detail: `device ${deviceId} already exists` });
      const issued = yield* newDeviceKey;
      const events = [
        DeviceRegistered.make(
          {
            deviceId,
            name: input.name,
            attributes: input.attributes ?? {},
            tags: distinct(input.tags ?? []),
            gatewayFor,
          },
          meta,
        ),
        DeviceKeyIssued.make({ deviceId, keyId: issued.keyId, keyHash: issued.keyHash, gatewayFor }, meta),
      ];
      return { events, result: { deviceId, key: { keyId: issued.keyId, key: issued.key } as IssuedKeySecret } };
    }),
  );
  return result;
});

/**
 * Changes name, attributes (merged; null removes one) and tags (replaced). Appends nothing
 * when nothing changes.
 *
 * @example
 * yield* updateDevice("acme", "pump-7", { attributes: { floor: 3, room: null } }, 4); // If-Match: 4
 */
export const updateDevice = Effect.fn("devices.updateDevice")(function* (
  tenantId: string,
  deviceId: string,
  patch: DevicePatch,
  expected: ExpectedDeviceVersion,
) {
  const streamId = deviceStreamId(tenantId, deviceId);
  yield* runCommand(loadDevice(tenantId, deviceId), streamId, (folded) =>
    Effect.gen(function* () {
      const state = yield* requireDevice(deviceId, folded, streamId, expected);
      yield* requireActive(deviceId, state);
      const changes = {
        ...(patch.name === undefined || patch.name === state.name ? {} : { name: patch.name }),
        ...(yield* attributeChanges(state.attributes, patch.attributes)),
        ...tagChanges(state.tags, patch.tags),
      };
      const events: Array<PendingEvent> =
        Object.keys(changes).length === 0
          ? []
          : [DeviceUpdated.make({ deviceId, ...changes }, { tenantId: asTenantId(tenantId) })];
      return { events, result: undefined };
    }),
  );
});

const revocations = (
  tenantId: string,
  deviceId: string,
  state: DeviceState,
  reason: "revoked" | "rotated" | "decommissioned",
  keyIds?: ReadonlySet<string>,
) =>
  state.keys
    .filter((key) => key.active && (keyIds === undefined || keyIds.has(key.keyId)))
    .map((key) =>
      DeviceKeyRevoked.make(
        { deviceId, keyId: key.keyId, keyHash: key.keyHash, reason },
        { tenantId: asTenantId(tenantId) },
      ),
    );

/**
 * Revokes every key of the device and marks it decommissioned; ingest refuses it from
 * then on. Decommissioning twice changes nothing.
 *
 * @example
 * yield* decommissionDevice("acme", "pump-7");
 */
export const decommissionDevice = Effect.fn("devices.decommissionDevice")(function* (
  tenantId: string,
  deviceId: string,
) {
  const streamId = deviceStreamId(tenantId, deviceId);
  yield* runCommand(loadDevice(tenantId, deviceId), streamId, (folded) =>
    Effect.map(requireDevice(deviceId, folded, streamId), (state) => ({
      events:
        state.status === "decommissioned"
          ? []
          : [
              ...revocations(tenantId, deviceId, state, "decommissioned"),
              DeviceDecommissioned.make({ deviceId }, { tenantId: asTenantId(tenantId) }),
            ],
      result: undefined,
    })),
  );
});

/**
 * Issues a new key (shown once); with `revokeOthers`, revokes the device's other keys in
 * the same append (a rotation).
 *
 * @example
 * const { keyId, key } = yield* issueDeviceKey("acme", "pump-7", { revokeOthers: true });
 */
export const issueDeviceKey = Effect.fn("devices.issueDeviceKey")(function* (
  tenantId: string,
  deviceId: string,
  options: { readonly revokeOthers: boolean },
) {
  const streamId = deviceStreamId(tenantId, deviceId);
  const { result } = yield* runCommand(loadDevice(tenantId, deviceId), streamId, (folded) =>
    Effect.gen(function* () {
      const state = yield* requireDevice(deviceId, folded, streamId);
      yield* requireActive(deviceId, state);
      const issued = yield* newDeviceKey;
      const events = [
        ...(options.revokeOthers ? revocations(tenantId, deviceId, state, "rotated") : []),
        DeviceKeyIssued.make(
          { deviceId, keyId: issued.keyId, keyHash: issued.keyHash, gatewayFor: state.gatewayFor },
          { tenantId: asTenantId(tenantId) },
        ),
      ];
      return { events, result: { keyId: issued.keyId, key: issued.key } as IssuedKeySecret };
    }),
  );
  return result;
});

/**
 * Revokes one key of the device; revoking a revoked key changes nothing.
 *
 * @example
 * yield* revokeDeviceKey("acme", "pump-7", "3f9a0c1d2e4b");
 */
export const revokeDeviceKey = Effect.fn("devices.revokeDeviceKey")(function* (
  tenantId: string,
  deviceId: string,
  keyId: string,
) {
  const streamId = deviceStreamId(tenantId, deviceId);
  yield* runCommand(loadDevice(tenantId, deviceId), streamId, (folded) =>
    Effect.gen(function* () {
      const state = yield* requireDevice(deviceId, folded, streamId);
      if (!state.keys.some((key) => key.keyId === keyId)) {
        return yield* new NotFound({ detail: `device ${deviceId} has no key ${keyId}` });
      }
      return { events: revocations(tenantId, deviceId, state, "revoked", new Set([keyId])), result: undefined };
    }),
  );
});
