// The HTTP client against a loopback stub of the API: credentials, body shape, outcomes.
import { afterEach, assert, describe, it } from "@effect/vitest";
import { ApiRequestFailed, ApiUnreachable, createAnanskyClient } from "./apiClient.ts";
import { type StubAnanskyApiOptions, startStubAnanskyApi } from "./stubAnanskyApi.ts";

const stubs: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((stub) => stub.close()));
});

/** A stub with one device registered, and a client for it. */
const setUp = async (options: StubAnanskyApiOptions = {}) => {
  const api = await startStubAnanskyApi({ adminToken: "admin-secret", ...options });
  stubs.push(api);
  const client = createAnanskyClient({ baseUrl: `${api.url}/` });
  await client.createTenant("admin-secret", { tenantId: "acme", name: "acme" });
  const tenantKey = await client.createTenantKey("admin-secret", "acme");
  const { key } = await client.registerDevice(tenantKey.key, {
    deviceId: "sim-0001",
    name: "Simulated sensor 1",
    attributes: { lat: 52.1, lon: 4.3, site: "site-1" },
    tags: ["sim", "site-1"],
  });
  return { api, client, tenantKey, deviceKey: key.key };
};

describe("Anansky API client", () => {
  it("posts a device's batch as a JSON array with its bearer key and reads the 202", async () => {
    const { api, client, deviceKey } = await setUp();
    const readings = [
      { ts: 1_767_225_600_000, values: { temperature: 21.5 } },
      { ts: 1_767_225_601_000, values: { temperature: 21.6, door_open: true } },
    ];
    const outcome = await client.sendTelemetry(deviceKey, readings, 2);
    assert.deepInclude(outcome, { status: 202, accepted: 2, rejected: 0 });
    assert.isAbove(outcome.latencyMs, 0);
    const sent = api.requests.at(-1);
    assert.deepInclude(sent, {
      method: "POST",
      path: "/v1/telemetry",
      query: "",
      authorization: `Bearer ${deviceKey}`,
      contentType: "application/json",
    });
    assert.deepStrictEqual(sent?.body, readings);
  });

  it("sends payload version 1 to ?version=1", async () => {
    const { api, client, deviceKey } = await setUp();
    const v1 = [{ deviceId: "sim-0001", timestamp: "2026-01-01T00:00:00.000Z", temperature: 21.5 }];
    await client.sendTelemetry(deviceKey, v1, 1);
    assert.deepInclude(api.requests.at(-1), { path: "/v1/telemetry", query: "?version=1", body: v1 });
  });

  it("uses the admin token for tenants and the tenant key for devices", async () => {
    const { api, tenantKey } = await setUp();
    const byPath = (path: string) => api.requests.find((request) => request.path === path)?.authorization;
    assert.strictEqual(byPath("/admin/tenants"), "Bearer admin-secret");
    assert.strictEqual(byPath("/admin/tenants/acme/keys"), "Bearer admin-secret");
    assert.strictEqual(byPath("/v1/devices"), `Bearer ${tenantKey.key}`);
    const registration = api.requests.find((request) => request.path === "/v1/devices")?.body;
    assert.deepStrictEqual(registration, {
      deviceId: "sim-0001",
      name: "Simulated sensor 1",
      attributes: { lat: 52.1, lon: 4.3, site: "site-1" },
      tags: ["sim", "site-1"],
    });
  });

  it("takes an existing tenant (409) as success, and reports other refusals with their status", async () => {
    const { client, tenantKey } = await setUp();
    assert.strictEqual(await client.createTenant("admin-secret", { tenantId: "acme", name: "acme" }), "exists");
    const error = await client.createTenantKey("wrong-token", "acme").catch((e: unknown) => e);
    assert.instanceOf(error, ApiRequestFailed);
    assert.strictEqual((error as ApiRequestFailed).status, 401);
    const duplicate = { deviceId: "sim-0001", name: "again", attributes: {}, tags: [] };
    const conflict = await client.registerDevice(tenantKey.key, duplicate).catch((e: unknown) => e);
    assert.strictEqual((conflict as ApiRequestFailed).status, 409);
  });

  it("reports 400, 429 and 401 as outcomes, counting a 400 batch as rejected", async () => {
    let answer = { status: 400, body: { title: "Bad Request" } };
    const { client, deviceKey } = await setUp({ telemetryResponse: () => answer });
    const batch = [
      { ts: 1, values: {} },
      { ts: 2, values: {} },
    ];
    assert.deepInclude(await client.sendTelemetry(deviceKey, batch, 2), { status: 400, accepted: 0, rejected: 2 });
    answer = { status: 429, body: { title: "Too Many Requests" } };
    assert.deepInclude(await client.sendTelemetry(deviceKey, batch, 2), { status: 429, accepted: 0, rejected: 0 });
    assert.deepInclude(await client.sendTelemetry("ak_d_unknown", batch, 2), { status: 401, accepted: 0 });
  });

  it("reads a partial batch: accepted ones counted, rejected ones by index", async () => {
    const { client, deviceKey } = await setUp({
      telemetryResponse: () => ({
        status: 202,
        body: { accepted: 2, rejected: [{ index: 1, errors: [{ field: "values.x", reason: "NaN" }] }], eventIds: [] },
      }),
    });
    const batch = [1, 2, 3].map((ts) => ({ ts, values: {} }));
    assert.deepInclude(await client.sendTelemetry(deviceKey, batch, 2), { status: 202, accepted: 2, rejected: 1 });
  });

  it("tells an API that is not there: ApiUnreachable for calls, a 'network' outcome for telemetry", async () => {
    const { api, client } = await setUp();
    const gone = createAnanskyClient({ baseUrl: api.url });
    await api.close();
    stubs.length = 0;
    const error = await gone.checkReachable().catch((e: unknown) => e);
    assert.instanceOf(error, ApiUnreachable);
    assert.include((error as Error).message, api.url);
    assert.strictEqual((await client.sendTelemetry("ak_d_x", [], 2)).status, "network");
  });

  it("gives up on a request after the timeout", async () => {
    const hangingFetch: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)));
    const client = createAnanskyClient({ baseUrl: "http://127.0.0.1:9", requestTimeoutMs: 20, fetch: hangingFetch });
    assert.strictEqual((await client.sendTelemetry("ak_d_x", [], 2)).status, "timeout");
  });
});
