/**
 * /v1/devices: a tenant's applications manage their devices (tenant key only; a device
 * key or the admin token gets 403). The tenant always comes from the credential.
 */
import { Effect } from "effect";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import {
  callerOf,
  decodeRequest,
  etagOf,
  ifMatchVersion,
  PayloadTooLarge,
  type RouteContext,
  readJsonBody,
  singleValuedQuery,
} from "../../core/index.ts";
import { decommissionDevice, issueDeviceKey, registerDevice, revokeDeviceKey, updateDevice } from "./deviceCommands.ts";
import { DevicePatchBody } from "./devicePatch.ts";
import { getDevice, listDevices } from "./deviceQueries.ts";
import {
  DeviceKeyPath,
  DevicePath,
  IssueDeviceKeyQuery,
  ListDevicesQuery,
  NoQuery,
  RegisterDeviceBody,
} from "./requestSchemas.ts";

/** Device documents are small: 50 attributes of 256 characters fit well below this. */
export const maxDeviceBodyBytes = 64 * 1024;

const limitBody = bodyLimit({
  maxSize: maxDeviceBodyBytes,
  onError: () => {
    throw new PayloadTooLarge({ detail: `the body is larger than ${maxDeviceBodyBytes} bytes` });
  },
});

/**
 * @example
 * api.routes((context) => deviceRoutes(context));
 */
export const deviceRoutes = (context: RouteContext): Hono => {
  const app = new Hono();

  app.post("/v1/devices", limitBody, async (c) => {
    const registered = await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callerOf(c.req, ["tenant"]);
        yield* decodeRequest(NoQuery, yield* singleValuedQuery(c.req));
        const body = yield* decodeRequest(RegisterDeviceBody, yield* readJsonBody(c.req));
        const { deviceId, key } = yield* registerDevice(tenantId, body);
        return { device: yield* getDevice(tenantId, deviceId), key };
      }),
    );
    c.header("location", `/v1/devices/${encodeURIComponent(registered.device.deviceId)}`);
    c.header("etag", etagOf(registered.device.version));
    c.header("cache-control", "no-store");
    return c.json(registered, 201);
  });

  app.get("/v1/devices", async (c) => {
    const page = await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callerOf(c.req, ["tenant"]);
        const query = yield* decodeRequest(ListDevicesQuery, yield* singleValuedQuery(c.req));
        return yield* listDevices(tenantId, query);
      }),
    );
    return c.json(page);
  });

  app.get("/v1/devices/:deviceId", async (c) => {
    const device = await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callerOf(c.req, ["tenant"]);
        const { deviceId } = yield* decodeRequest(DevicePath, c.req.param());
        yield* decodeRequest(NoQuery, yield* singleValuedQuery(c.req));
        return yield* getDevice(tenantId, deviceId);
      }),
    );
    c.header("etag", etagOf(device.version));
    return c.json(device);
  });

  app.patch("/v1/devices/:deviceId", limitBody, async (c) => {
    const device = await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callerOf(c.req, ["tenant"]);
        const { deviceId } = yield* decodeRequest(DevicePath, c.req.param());
        yield* decodeRequest(NoQuery, yield* singleValuedQuery(c.req));
        const expected = yield* ifMatchVersion(c.req.header("if-match"), "device");
        const patch = yield* decodeRequest(DevicePatchBody, yield* readJsonBody(c.req));
        yield* updateDevice(tenantId, deviceId, patch, expected);
        return yield* getDevice(tenantId, deviceId);
      }),
    );
    c.header("etag", etagOf(device.version));
    return c.json(device);
  });

  app.post("/v1/devices/:deviceId/decommission", async (c) => {
    const device = await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callerOf(c.req, ["tenant"]);
        const { deviceId } = yield* decodeRequest(DevicePath, c.req.param());
        yield* decodeRequest(NoQuery, yield* singleValuedQuery(c.req));
        yield* decommissionDevice(tenantId, deviceId);
        return yield* getDevice(tenantId, deviceId);
      }),
    );
    c.header("etag", etagOf(device.version));
    return c.json(device);
  });

  app.post("/v1/devices/:deviceId/keys", async (c) => {
    const issued = await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callerOf(c.req, ["tenant"]);
        const { deviceId } = yield* decodeRequest(DevicePath, c.req.param());
        const query = yield* decodeRequest(IssueDeviceKeyQuery, yield* singleValuedQuery(c.req));
        return yield* issueDeviceKey(tenantId, deviceId, { revokeOthers: query.revokeOthers === "true" });
      }),
    );
    c.header("cache-control", "no-store");
    return c.json(issued, 201);
  });

  app.delete("/v1/devices/:deviceId/keys/:keyId", async (c) => {
    await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callerOf(c.req, ["tenant"]);
        const { deviceId, keyId } = yield* decodeRequest(DeviceKeyPath, c.req.param());
        yield* decodeRequest(NoQuery, yield* singleValuedQuery(c.req));
        yield* revokeDeviceKey(tenantId, deviceId, keyId);
      }),
    );
    return c.body(null, 204);
  });

  return app;
};
