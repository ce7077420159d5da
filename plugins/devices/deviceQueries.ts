/**
 * The read side of the device API: devices of the caller's tenant from `rm_devices`,
 * joined with their last-seen time and latest values from `rm_latest`. Every lookup is
 * by the tenant of the credential, so another tenant's device reads exactly like a
 * missing one.
 */
import { Effect, Option, Result, Schema } from "effect";
import { Base64Url } from "effect/encoding";
import { NotFound, ReadModelStore, ValidationFailed } from "../../core/index.ts";
import { DeviceId, type DeviceStatus, deviceDocumentId } from "./deviceFields.ts";
import { type DeviceDocument, devicesCollection } from "./devicesProjection.ts";
import { type LatestValues, latestValuesFor, neverSeen } from "./latestValues.ts";

/** A device as the API shows it. */
export type DeviceResponse = DeviceDocument & LatestValues;

export interface DeviceListQuery {
  readonly tag?: string | undefined;
  readonly status?: DeviceStatus | undefined;
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
}

export const defaultPageSize = 50;

const responseOf = (document: DeviceDocument, latest: LatestValues | undefined): DeviceResponse => {
  // rm_devices documents are written by devicesProjection only: they have its shape.
  const { _id: _documentId, ...fields } = document as DeviceDocument & { readonly _id?: string };
  return { ...fields, ...(latest ?? neverSeen) };
};

/**
 * The stored document of a device of this tenant, if any.
 *
 * @example
 * const found = yield* findDeviceDocument("acme", "pump-7"); // Option<DeviceDocument>
 */
export const findDeviceDocument = Effect.fn("devices.findDeviceDocument")(function* (
  tenantId: string,
  deviceId: string,
) {
  const store = yield* ReadModelStore;
  const found = yield* store.get(devicesCollection, deviceDocumentId(tenantId, deviceId));
  return Option.filter(
    found as unknown as Option.Option<DeviceDocument>,
    (document) => document.tenantId === tenantId && document.deviceId === deviceId,
  );
});

/**
 * @example
 * const device = yield* getDevice("acme", "pump-7"); // fails with NotFound for another tenant's device
 */
export const getDevice = Effect.fn("devices.getDevice")(function* (tenantId: string, deviceId: string) {
  const found = yield* findDeviceDocument(tenantId, deviceId);
  if (Option.isNone(found)) return yield* new NotFound({ detail: `no device ${deviceId}` });
  const latest = yield* latestValuesFor(tenantId, [deviceId]);
  return responseOf(found.value, latest.get(deviceId));
});

/**
 * The page cursor is the last device id of the page, base64url-encoded so clients treat
 * it as opaque.
 *
 * @example
 * decodeCursor(encodeCursor("pump-7")) // Result.succeed("pump-7")
 */
export const encodeCursor = (deviceId: string): string => Base64Url.encode(deviceId);

const decodeDeviceId = Schema.decodeUnknownResult(DeviceId);

export const decodeCursor = (cursor: string): Result.Result<string, string> =>
  Base64Url.decodeString(cursor).pipe(
    Result.mapError(() => "not a cursor this API returned"),
    Result.flatMap((deviceId) => Result.mapError(decodeDeviceId(deviceId), () => "not a cursor this API returned")),
  );

/**
 * One page of the tenant's devices in device id order, optionally only those with a tag
 * or a status.
 *
 * @example
 * const { devices, nextCursor } = yield* listDevices("acme", { tag: "pump", limit: 20 });
 */
export const listDevices = Effect.fn("devices.listDevices")(function* (tenantId: string, query: DeviceListQuery) {
  const store = yield* ReadModelStore;
  const limit = query.limit ?? defaultPageSize;
  let after: string | undefined;
  if (query.cursor !== undefined) {
    const decoded = decodeCursor(query.cursor);
    if (Result.isFailure(decoded)) {
      return yield* new ValidationFailed({
        detail: "the query is invalid",
        errors: [{ field: "cursor", reason: decoded.failure }],
      });
    }
    after = decoded.success;
  }
  // Every value here was validated (tag and cursor patterns, status literal): no operator can slip in.
  const filter = {
    tenantId,
    ...(after === undefined ? {} : { deviceId: { $gt: after } }),
    ...(query.tag === undefined ? {} : { tags: query.tag }),
    ...(query.status === undefined ? {} : { status: query.status }),
  };
  const found = (yield* store.find(devicesCollection, filter, {
    sort: { deviceId: 1 },
    limit: limit + 1,
  })) as unknown as ReadonlyArray<DeviceDocument>;
  const page = found.slice(0, limit);
  const latest = yield* latestValuesFor(
    tenantId,
    page.map((document) => document.deviceId),
  );
  const last = page[page.length - 1];
  return {
    devices: page.map((document) => responseOf(document, latest.get(document.deviceId))),
    nextCursor: found.length > limit && last !== undefined ? encodeCursor(last.deviceId) : null,
  };
});
