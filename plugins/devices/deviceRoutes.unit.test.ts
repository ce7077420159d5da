// The HTTP face over in-memory services (no Kafka, no MongoDB): status codes, problem+json
// bodies with field paths, credentials of each kind, and what rejected requests leave
// behind. The e2e test (test/devices) repeats the main paths against the real platform.
import { Effect, ManagedRuntime, Stream } from "effect";
import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { problemErrorHandler, problemNotFoundHandler } from "../../core/http/problemResponses.ts";
import { EventStore, forgetCachedKeys, type PluginServices, type RouteContext } from "../../core/index.ts";
import { deviceRoutes } from "./deviceRoutes.ts";
import { devicesTestLayer, testAdminToken } from "./devicesTestLayer.ts";
import { tenantRoutes } from "./tenantRoutes.ts";

let runtime: ManagedRuntime.ManagedRuntime<PluginServices, never>;
let app: Hono;

beforeEach(() => {
  forgetCachedKeys();
  runtime = ManagedRuntime.make(devicesTestLayer());
  const context: RouteContext = { run: (effect) => runtime.runPromise(effect) };
  app = new Hono();
  app.onError(problemErrorHandler);
  app.notFound(problemNotFoundHandler);
  app.route("/", tenantRoutes(context));
  app.route("/", deviceRoutes(context));
});
afterEach(() => runtime.dispose());

const call = async (
  method: string,
  path: string,
  credential?: string,
  body?: unknown,
  headers: Record<string, string> = {},
) => {
  const response = await app.request(path, {
    method,
    headers: {
      ...(credential === undefined ? {} : { authorization: `Bearer ${credential}` }),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    // biome-ignore lint/suspicious/noExplicitAny: responses are inspected loosely in tests
    json: text === "" ? undefined : (JSON.parse(text) as any),
  };
};

const eventCount = () => runtime.runPromise(Effect.flatMap(EventStore, (store) => Stream.runCount(store.readAll())));

/** A tenant with a key, and one registered device. */
const givenTenantWithDevice = async (tenantId = "acme", deviceId = "pump-7") => {
  expect((await call("POST", "/admin/tenants", testAdminToken, { tenantId, name: tenantId })).status).toBe(201);
  const tenantKey = (await call("POST", `/admin/tenants/${tenantId}/keys`, testAdminToken)).json.key as string;
  const registered = await call("POST", "/v1/devices", tenantKey, { deviceId, name: "Pump 7", tags: ["pump"] });
  expect(registered.status).toBe(201);
  return { tenantKey, deviceKey: registered.json.key.key as string, deviceKeyId: registered.json.key.keyId as string };
};

const fieldsOf = (json: { errors?: ReadonlyArray<{ field: string }> }) => (json.errors ?? []).map((e) => e.field);

describe("device routes", () => {
  it("registers, reads, patches with If-Match and answers 409 on a stale version", async () => {
    const { tenantKey } = await givenTenantWithDevice();
    const read = await call("GET", "/v1/devices/pump-7", tenantKey);
    expect(read.status).toBe(200);
    expect(read.headers.get("etag")).toBe('"2"');
    expect(read.json).toMatchObject({ deviceId: "pump-7", tenantId: "acme", status: "active", version: 2, latest: {} });
    const patched = await call("PATCH", "/v1/devices/pump-7", tenantKey, { name: "Renamed" }, { "if-match": '"2"' });
    expect([patched.status, patched.json.name, patched.json.version]).toEqual([200, "Renamed", 3]);
    const stale = await call("PATCH", "/v1/devices/pump-7", tenantKey, { name: "Again" }, { "if-match": "2" });
    expect(stale.status).toBe(409);
    expect(stale.headers.get("content-type")).toContain("application/problem+json");
  });

  it("answers 401 for missing, malformed, unknown and revoked credentials, 403 for the wrong kind", async () => {
    const { tenantKey, deviceKey, deviceKeyId } = await givenTenantWithDevice();
    for (const authorization of [undefined, "Basic abc", "Bearer", "Bearer ak_t_unknown"]) {
      const response = await app.request("/v1/devices", {
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
    }
    expect((await call("GET", "/v1/devices", deviceKey)).status).toBe(403);
    expect((await call("GET", "/v1/devices", testAdminToken)).status).toBe(403);
    expect((await call("POST", "/admin/tenants", tenantKey, { tenantId: "x", name: "x" })).status).toBe(403);
    expect((await call("DELETE", `/v1/devices/pump-7/keys/${deviceKeyId}`, tenantKey)).status).toBe(204);
    const revoked = await call("POST", "/v1/devices/pump-7/keys", deviceKey);
    expect(revoked.status).toBe(401);
  });

  it("refuses bad input with 400 and field paths, and stores nothing", async () => {
    const { tenantKey } = await givenTenantWithDevice();
    const before = await eventCount();
    // Raw text: 1e999 parses to Infinity, which JSON.stringify would turn into null.
    const bad = await call(
      "POST",
      "/v1/devices",
      tenantKey,
      `{"deviceId": {"$gt": ""}, "name": "x", "extra": 1, "tags": ${JSON.stringify(Array.from({ length: 21 }, (_, i) => `t${i}`))},
        "attributes": {"ok": 1, "huge": 1e999, "nested": {"a": 1}}}`,
    );
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.json).sort()).toEqual(["attributes.huge", "attributes.nested", "deviceId", "extra", "tags"]);
    expect(
      fieldsOf((await call("POST", "/v1/devices", tenantKey, { name: "x", attributes: { "a.b": 1 } })).json),
    ).toEqual(["attributes.a.b"]);
    expect(fieldsOf((await call("POST", "/v1/devices", tenantKey, '{"name": NaN}')).json)).toEqual(["(body)"]);
    expect(fieldsOf((await call("GET", "/v1/devices?limit=NaN", tenantKey)).json)).toEqual(["limit"]);
    expect(fieldsOf((await call("GET", "/v1/devices?limit=1e2", tenantKey)).json)).toEqual(["limit"]);
    expect(fieldsOf((await call("GET", '/v1/devices?tag={"$gt":""}', tenantKey)).json)).toEqual(["tag"]);
    expect(fieldsOf((await call("GET", "/v1/devices?tag[$gt]=", tenantKey)).json)).toEqual(["tag[$gt]"]);
    expect(fieldsOf((await call("GET", "/v1/devices?tag=a&tag=b", tenantKey)).json)).toEqual(["tag"]);
    expect(fieldsOf((await call("GET", `/v1/devices/${encodeURIComponent('{"$gt":""}')}`, tenantKey)).json)).toEqual([
      "deviceId",
    ]);
    expect(
      fieldsOf((await call("PATCH", "/v1/devices/pump-7", tenantKey, { name: "x" }, { "if-match": "NaN" })).json),
    ).toEqual(["If-Match"]);
    expect(fieldsOf((await call("PATCH", "/v1/devices/pump-7", tenantKey, { status: "active" })).json)).toEqual([
      "status",
    ]);
    expect(fieldsOf((await call("DELETE", "/v1/devices/pump-7/keys/not-a-key", tenantKey)).json)).toEqual(["keyId"]);
    expect(fieldsOf((await call("POST", "/v1/devices/pump-7/keys?revokeOthers=yes", tenantKey)).json)).toEqual([
      "revokeOthers",
    ]);
    expect(
      fieldsOf((await call("POST", "/admin/tenants", testAdminToken, { tenantId: "a-b", name: "" })).json).sort(),
    ).toEqual(["name", "tenantId"]);
    expect(await eventCount()).toBe(before);
  });

  it("answers 413 for a body over the limit", async () => {
    const { tenantKey } = await givenTenantWithDevice();
    const response = await call("POST", "/v1/devices", tenantKey, { name: "x".repeat(70_000) });
    expect(response.status).toBe(413);
  });

  it("keeps tenants apart: another tenant's device answers 404 like a missing one", async () => {
    await givenTenantWithDevice("acme", "pump-7");
    const { tenantKey: globexKey } = await givenTenantWithDevice("globex", "other");
    const foreign = await call("GET", "/v1/devices/pump-7", globexKey);
    const missing = await call("GET", "/v1/devices/no-such-device", globexKey);
    expect([foreign.status, missing.status]).toEqual([404, 404]);
    expect(foreign.json.title).toBe(missing.json.title);
    expect(
      (await call("GET", "/v1/devices", globexKey)).json.devices.map((d: { deviceId: string }) => d.deviceId),
    ).toEqual(["other"]);
    expect((await call("POST", "/v1/devices/pump-7/decommission", globexKey)).status).toBe(404);
  });

  it("rotates, revokes and decommissions; a decommissioned device's keys stop working", async () => {
    const { tenantKey, deviceKey } = await givenTenantWithDevice();
    const rotated = await call("POST", "/v1/devices/pump-7/keys?revokeOthers=true", tenantKey);
    expect(rotated.status).toBe(201);
    expect(rotated.headers.get("cache-control")).toBe("no-store");
    // A device key on a device-admin route: 403 while valid, 401 once revoked.
    expect((await call("GET", "/v1/devices", rotated.json.key)).status).toBe(403);
    expect((await call("GET", "/v1/devices", deviceKey)).status).toBe(401);
    const decommissioned = await call("POST", "/v1/devices/pump-7/decommission", tenantKey);
    expect([decommissioned.status, decommissioned.json.status]).toEqual([200, "decommissioned"]);
    expect((await call("GET", "/v1/devices", rotated.json.key)).status).toBe(401);
    expect((await call("PATCH", "/v1/devices/pump-7", tenantKey, { name: "x" })).status).toBe(409);
  });
});
