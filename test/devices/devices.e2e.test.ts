/**
 * The devices plugin end to end over real HTTP (see devicesPlatform.ts for the process):
 * tenants and keys, the device lifecycle, tenant isolation, credentials and bad input.
 * Each test makes its own tenants, so they do not depend on each other.
 */
import { describe, expect, it } from "vitest";
import {
  adminToken,
  call,
  expectProblem,
  fieldsOf,
  newTenant,
  platformDatabase,
  platformUrl,
  type Reply,
  register,
  storedEvents,
  useDevicesPlatform,
} from "./devicesPlatform.ts";

useDevicesPlatform();

describe("devices plugin over HTTP", () => {
  it("creates tenants (409 when one exists) and issues and revokes tenant keys", async () => {
    const tenant = await newTenant();
    expectProblem(await call("POST", "/admin/tenants", adminToken, { tenantId: tenant.tenantId, name: "again" }), 409);
    expectProblem(await call("POST", "/admin/tenants/t_nobody_here/keys", adminToken), 404);
    expect((await call("GET", "/v1/devices", tenant.key)).status).toBe(200);
    expect((await call("DELETE", `/admin/tenants/${tenant.tenantId}/keys/${tenant.keyId}`, adminToken)).status).toBe(
      204,
    );
    expectProblem(await call("GET", "/v1/devices", tenant.key), 401);
  });

  it("registers, lists, reads and patches devices; a stale If-Match is a 409", async () => {
    const tenant = await newTenant();
    const pump = await register(tenant.key, {
      deviceId: "pump-7",
      name: "Pump 7",
      attributes: { floor: 2, indoor: true, model: "X1" },
      tags: ["pump", "north"],
    });
    expect(pump.device).toMatchObject({ deviceId: "pump-7", tenantId: tenant.tenantId, status: "active", version: 2 });
    expect(pump.key).toMatch(/^ak_d_/);
    const generated = await register(tenant.key, { name: "No id given", tags: ["valve"] });
    expect(generated.device.deviceId).toMatch(/^[0-9a-f-]{36}$/);
    for (let i = 0; i < 3; i++)
      await register(tenant.key, { deviceId: `pump-8${i}`, name: `Pump 8${i}`, tags: ["pump"] });

    const read = await call("GET", "/v1/devices/pump-7", tenant.key);
    expect(read.status).toBe(200);
    expect(read.headers.get("etag")).toBe('"2"');
    expect(read.json).toEqual({
      ...pump.device,
      lastSeenAt: null,
      latest: {},
    });

    const pages: Array<string> = [];
    let cursor: string | null = null;
    do {
      const page: Reply = await call(
        "GET",
        `/v1/devices?tag=pump&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        tenant.key,
      );
      expect(page.status).toBe(200);
      pages.push(page.json.devices.map((d: { deviceId: string }) => d.deviceId).join(","));
      cursor = page.json.nextCursor;
    } while (cursor !== null);
    expect(pages).toEqual(["pump-7,pump-80", "pump-81,pump-82"]);

    const patched = await call(
      "PATCH",
      "/v1/devices/pump-7",
      tenant.key,
      { name: "Pump seven", attributes: { floor: 3, model: null }, tags: ["pump"] },
      { "if-match": '"2"' },
    );
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({
      name: "Pump seven",
      attributes: { floor: 3, indoor: true },
      tags: ["pump"],
      version: 3,
    });
    expect(patched.json.attributes).not.toHaveProperty("model");
    expect(patched.headers.get("etag")).toBe('"3"');
    const before = await storedEvents();
    expectProblem(
      await call("PATCH", "/v1/devices/pump-7", tenant.key, { name: "Lost update" }, { "if-match": '"2"' }),
      409,
    );
    expect(await storedEvents()).toBe(before);
    expect((await call("GET", "/v1/devices/pump-7", tenant.key)).json.name).toBe("Pump seven");
    expectProblem(await call("POST", "/v1/devices", tenant.key, { deviceId: "pump-7", name: "Duplicate" }), 409);
  });

  it("rotates and revokes device keys, and decommissioning revokes every key", async () => {
    const tenant = await newTenant();
    const gateway = await register(tenant.key, { deviceId: "gw-1", name: "Gateway", gatewayFor: ["pump-1", "pump-2"] });
    // A valid device key on a device-admin route is a 403; a revoked one is a 401.
    expectProblem(await call("GET", "/v1/devices", gateway.key), 403);

    const second = await call("POST", "/v1/devices/gw-1/keys", tenant.key);
    expect(second.status).toBe(201);
    expect(second.headers.get("cache-control")).toBe("no-store");
    expectProblem(await call("GET", "/v1/devices", second.json.key), 403);
    expectProblem(await call("GET", "/v1/devices", gateway.key), 403);

    const rotated = await call("POST", "/v1/devices/gw-1/keys?revokeOthers=true", tenant.key);
    expect(rotated.status).toBe(201);
    expectProblem(await call("GET", "/v1/devices", gateway.key), 401);
    expectProblem(await call("GET", "/v1/devices", second.json.key), 401);
    expectProblem(await call("GET", "/v1/devices", rotated.json.key), 403);

    expect((await call("DELETE", `/v1/devices/gw-1/keys/${rotated.json.keyId}`, tenant.key)).status).toBe(204);
    expectProblem(await call("GET", "/v1/devices", rotated.json.key), 401);
    expectProblem(await call("DELETE", "/v1/devices/gw-1/keys/000000000000", tenant.key), 404);

    const last = await call("POST", "/v1/devices/gw-1/keys", tenant.key);
    expectProblem(await call("GET", "/v1/devices", last.json.key), 403);
    const decommissioned = await call("POST", "/v1/devices/gw-1/decommission", tenant.key);
    expect(decommissioned.status).toBe(200);
    expect(decommissioned.json).toMatchObject({
      deviceId: "gw-1",
      status: "decommissioned",
      gatewayFor: ["pump-1", "pump-2"],
    });
    expectProblem(await call("GET", "/v1/devices", last.json.key), 401);
    expectProblem(await call("POST", "/v1/devices/gw-1/keys", tenant.key), 409);
    expectProblem(await call("PATCH", "/v1/devices/gw-1", tenant.key, { name: "x" }), 409);
    const listed = await call("GET", "/v1/devices?status=decommissioned", tenant.key);
    expect(listed.json.devices.map((d: { deviceId: string }) => d.deviceId)).toEqual(["gw-1"]);

    const keys = await platformDatabase()
      .collection("rm_api_keys")
      .find({ tenantId: tenant.tenantId, kind: "device" })
      .toArray();
    expect(keys.map((key) => key.status)).toEqual(["revoked", "revoked", "revoked", "revoked"]);
  });

  it("keeps tenants apart: B's key gets 404 for A's device and never lists it", async () => {
    const a = await newTenant();
    const b = await newTenant();
    const device = await register(a.key, { deviceId: "shared-id", name: "A's device", tags: ["secret"] });
    await register(b.key, { deviceId: "b-only", name: "B's device" });
    const before = await storedEvents();

    const foreign = await call("GET", "/v1/devices/shared-id", b.key);
    const missing = await call("GET", "/v1/devices/does-not-exist", b.key);
    expectProblem(foreign, 404);
    expectProblem(missing, 404);
    expect(foreign.json.title).toBe(missing.json.title);
    expectProblem(await call("PATCH", "/v1/devices/shared-id", b.key, { name: "Hijacked" }), 404);
    expectProblem(await call("POST", "/v1/devices/shared-id/decommission", b.key), 404);
    expectProblem(await call("POST", "/v1/devices/shared-id/keys?revokeOthers=true", b.key), 404);
    expectProblem(await call("DELETE", `/v1/devices/shared-id/keys/${device.keyId}`, b.key), 404);
    expectProblem(await call("DELETE", `/admin/tenants/${b.tenantId}/keys/${a.keyId}`, adminToken), 404);
    const listed = await call("GET", "/v1/devices?tag=secret", b.key);
    expect(listed.json).toEqual({ devices: [], nextCursor: null });
    const all = await call("GET", "/v1/devices", b.key);
    expect(all.json.devices.map((d: { deviceId: string }) => d.deviceId)).toEqual(["b-only"]);
    expect(await storedEvents()).toBe(before);

    const untouched = await call("GET", "/v1/devices/shared-id", a.key);
    expect(untouched.json).toMatchObject({ name: "A's device", status: "active", version: 2 });
    expectProblem(await call("GET", "/v1/devices", device.key), 403);
    // The same device id in tenant B is another device.
    await register(b.key, { deviceId: "shared-id", name: "B's own" });
    expect((await call("GET", "/v1/devices/shared-id", a.key)).json.name).toBe("A's device");
  });

  it("answers 401 problem+json for missing, malformed, unknown and revoked credentials, 403 for the wrong kind", async () => {
    const tenant = await newTenant();
    const { key: deviceKey } = await register(tenant.key, { deviceId: "d1", name: "D1" });
    for (const authorization of [undefined, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "Bearer ak_t_unknown"]) {
      const response = await fetch(`${platformUrl()}/v1/devices`, {
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(response.status, `Authorization: ${authorization}`).toBe(401);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
    }
    expectProblem(await call("POST", "/v1/devices", deviceKey, { name: "from a device" }), 403);
    expectProblem(await call("PATCH", "/v1/devices/d1", deviceKey, { name: "x" }), 403);
    expectProblem(await call("GET", "/v1/devices", adminToken), 403);
    // /admin/* is the admin token's: the platform guard or the plugin refuses a tenant key.
    expect([401, 403]).toContain(
      (await call("POST", "/admin/tenants", tenant.key, { tenantId: "x", name: "x" })).status,
    );
    expect([401, 403]).toContain((await call("POST", `/admin/tenants/${tenant.tenantId}/keys`, deviceKey)).status);
  });

  it("refuses bad input with 400 and field paths, and stores no event", async () => {
    const tenant = await newTenant();
    await register(tenant.key, { deviceId: "d1", name: "D1" });
    const before = await storedEvents();
    const tooManyTags = Array.from({ length: 21 }, (_, i) => `t${i}`);
    const cases: Array<[Reply, Array<string>]> = [
      [await call("POST", "/v1/devices", tenant.key, { name: "x", unknown: 1 }), ["unknown"]],
      [await call("POST", "/v1/devices", tenant.key, { deviceId: { $gt: "" }, name: "x" }), ["deviceId"]],
      [await call("POST", "/v1/devices", tenant.key, { deviceId: "bad id!", name: "x" }), ["deviceId"]],
      [await call("POST", "/v1/devices", tenant.key, { deviceId: "x".repeat(101), name: "x" }), ["deviceId"]],
      [await call("POST", "/v1/devices", tenant.key, { name: "x", tags: tooManyTags }), ["tags"]],
      [await call("POST", "/v1/devices", tenant.key, { name: "x", tags: ["ok", "not ok"] }), ["tags.1"]],
      [await call("POST", "/v1/devices", tenant.key, { name: "x", gatewayFor: ["$where"] }), ["gatewayFor.0"]],
      [
        await call("POST", "/v1/devices", tenant.key, '{"name": "x", "attributes": {"big": 1e999}}'),
        ["attributes.big"],
      ],
      [await call("POST", "/v1/devices", tenant.key, '{"name": "x", "attributes": {"n": NaN}}'), ["(body)"]],
      [await call("POST", "/v1/devices", tenant.key, { name: "x", attributes: { $gt: "" } }), ["attributes.$gt"]],
      [
        await call("POST", "/v1/devices", tenant.key, {
          name: "x",
          attributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`a${i}`, i])),
        }),
        ["attributes"],
      ],
      [
        await call("POST", "/v1/devices", tenant.key, { name: "", attributes: { list: [1] } }),
        ["attributes.list", "name"],
      ],
      [await call("POST", "/v1/devices", tenant.key, "not json"), ["(body)"]],
      [await call("GET", "/v1/devices?limit=NaN", tenant.key), ["limit"]],
      [await call("GET", "/v1/devices?limit=Infinity", tenant.key), ["limit"]],
      [await call("GET", "/v1/devices?limit=0", tenant.key), ["limit"]],
      [await call("GET", "/v1/devices?status=gone", tenant.key), ["status"]],
      [await call("GET", `/v1/devices?tag=${encodeURIComponent('{"$gt":""}')}`, tenant.key), ["tag"]],
      [await call("GET", "/v1/devices?tag[$gt]=", tenant.key), ["tag[$gt]"]],
      [await call("GET", "/v1/devices?cursor=bm90LWEtY3Vyc29yIQ", tenant.key), ["cursor"]],
      [await call("GET", `/v1/devices/${encodeURIComponent('{"$gt":""}')}`, tenant.key), ["deviceId"]],
      [await call("PATCH", "/v1/devices/d1", tenant.key, { name: "x" }, { "if-match": "NaN" }), ["If-Match"]],
      [await call("PATCH", "/v1/devices/d1", tenant.key, { status: "decommissioned" }), ["status"]],
      [await call("PATCH", "/v1/devices/d1", tenant.key, { attributes: { "a.b": 1 } }), ["attributes.a.b"]],
      [await call("POST", "/v1/devices/d1/keys?revokeOthers=1", tenant.key), ["revokeOthers"]],
      [await call("DELETE", "/v1/devices/d1/keys/$ne", tenant.key), ["keyId"]],
      [await call("POST", "/admin/tenants", adminToken, { tenantId: "has-dash", name: "x" }), ["tenantId"]],
      [await call("POST", "/admin/tenants", adminToken, { tenantId: { $ne: null }, name: "x" }), ["tenantId"]],
    ];
    for (const [reply, fields] of cases) {
      expectProblem(reply, 400);
      expect(fieldsOf(reply), JSON.stringify(reply.json)).toEqual(fields);
    }
    expect(await storedEvents()).toBe(before);
    expect((await call("GET", "/v1/devices/d1", tenant.key)).json).toMatchObject({ name: "D1", version: 2 });
  });
});
