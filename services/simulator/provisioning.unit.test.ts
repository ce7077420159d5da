// Provisioning against a loopback stub: admin token, tenant key, keys-file reuse and top-up.
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, assert, describe, it } from "@effect/vitest";
import { createAnanskyClient } from "./apiClient.ts";
import {
  type KeysFile,
  ProvisioningFailed,
  provisionDevices,
  readKeysFile,
  simulatedDeviceRegistration,
} from "./provisioning.ts";
import { startStubAnanskyApi } from "./stubAnanskyApi.ts";

const cleanUps: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanUps.splice(0).map((cleanUp) => cleanUp()));
});

const setUp = async () => {
  const api = await startStubAnanskyApi({ adminToken: "admin-secret" });
  const folder = await mkdtemp(join(tmpdir(), "anansky-sim-"));
  cleanUps.push(api.close, () => rm(folder, { recursive: true, force: true }));
  const client = createAnanskyClient({ baseUrl: api.url });
  const keysFilePath = join(folder, "nested", "sim-keys.json");
  const provision = (more: { deviceCount: number; adminToken?: string; tenantKey?: string; tenantId?: string }) =>
    provisionDevices({ client, url: api.url, keysFilePath, seed: 42, tenantId: "acme", ...more });
  const calls = (path: string) => api.requests.filter((request) => request.path === path).length;
  return { api, client, keysFilePath, provision, calls };
};

describe("device provisioning", () => {
  it("with an admin token creates the tenant and a key, registers the devices and saves their keys", async () => {
    const { provision, keysFilePath, calls } = await setUp();
    const result = await provision({ deviceCount: 12, adminToken: "admin-secret" });
    assert.deepInclude(result, { registered: 12, reused: 0, tenantId: "acme" });
    assert.deepStrictEqual(
      result.devices.map((device) => device.deviceId),
      Array.from({ length: 12 }, (_, i) => `sim-${String(i + 1).padStart(4, "0")}`),
    );
    assert.strictEqual(calls("/admin/tenants"), 1);
    assert.strictEqual(calls("/v1/devices"), 12);

    const saved = (await readKeysFile(keysFilePath)) as KeysFile;
    assert.deepStrictEqual(saved.devices, result.devices);
    assert.match(saved.tenantKey?.key ?? "", /^ak_t_/);
    assert.isTrue(saved.devices.every((device) => device.key.startsWith("ak_d_")));
    assert.strictEqual((await stat(keysFilePath)).mode & 0o777, 0o600); // it holds secrets
  });

  it("reuses a keys file that has enough devices without calling the API", async () => {
    const { provision, api } = await setUp();
    const first = await provision({ deviceCount: 5, adminToken: "admin-secret" });
    const requestsBefore = api.requests.length;
    const second = await provision({ deviceCount: 3 });
    assert.deepStrictEqual(second.devices, first.devices.slice(0, 3));
    assert.deepInclude(second, { registered: 0, reused: 3 });
    assert.strictEqual(api.requests.length, requestsBefore);
  });

  it("tops up a keys file with the saved tenant key when more devices are asked for", async () => {
    const { provision, calls } = await setUp();
    await provision({ deviceCount: 2, adminToken: "admin-secret" });
    const more = await provision({ deviceCount: 4 });
    assert.deepInclude(more, { registered: 2, reused: 2 });
    assert.deepStrictEqual(
      more.devices.map((device) => device.deviceId),
      ["sim-0001", "sim-0002", "sim-0003", "sim-0004"],
    );
    assert.strictEqual(calls("/admin/tenants/acme/keys"), 1);
  });

  it("registers with a given tenant key, and gets a new key for a device registered before (409)", async () => {
    const { provision, client, keysFilePath, api } = await setUp();
    await client.createTenant("admin-secret", { tenantId: "acme", name: "acme" });
    const tenantKey = await client.createTenantKey("admin-secret", "acme");
    await provision({ deviceCount: 2, tenantKey: tenantKey.key });
    await rm(keysFilePath); // the keys are lost; the devices stay registered
    const again = await provision({ deviceCount: 3, tenantKey: tenantKey.key });
    assert.strictEqual(again.devices.length, 3);
    assert.strictEqual(api.requests.filter((request) => request.path === "/v1/devices/sim-0001/keys").length, 1);
    const authorizations = api.requests.filter((r) => r.path.startsWith("/v1/devices")).map((r) => r.authorization);
    assert.isTrue(authorizations.every((authorization) => authorization === `Bearer ${tenantKey.key}`));
  });

  it("refuses to go on without credentials, with a keys file of another tenant, or with a file that is not one", async () => {
    const { provision, keysFilePath } = await setUp();
    const noCredentials = await provision({ deviceCount: 2 }).catch((e: unknown) => e);
    assert.instanceOf(noCredentials, ProvisioningFailed);
    assert.match((noCredentials as Error).message, /--admin-token or --tenant-key/);

    await provision({ deviceCount: 1, adminToken: "admin-secret" });
    const otherTenant = await provision({ deviceCount: 1, tenantId: "globex" }).catch((e: unknown) => e);
    assert.instanceOf(otherTenant, ProvisioningFailed);
    assert.match((otherTenant as Error).message, /tenant "acme"/);
    assert.include(await readFile(keysFilePath, "utf8"), '"tenantId": "acme"');

    await writeFile(keysFilePath, "{}");
    assert.instanceOf(await readKeysFile(keysFilePath).catch((e: unknown) => e), ProvisioningFailed);
  });

  it("describes devices with a location and site, ten to a site, the same for the same seed", () => {
    const registration = simulatedDeviceRegistration(42, 23);
    assert.strictEqual(registration.deviceId, "sim-0024");
    assert.deepStrictEqual(registration.tags, ["sim", "site-3"]);
    assert.strictEqual(registration.attributes.site, "site-3");
    assert.isNumber(registration.attributes.lat);
    assert.isNumber(registration.attributes.lon);
    assert.deepStrictEqual(simulatedDeviceRegistration(42, 23), registration);
    const neighbour = simulatedDeviceRegistration(42, 24);
    assert.isBelow(Math.abs((neighbour.attributes.lat as number) - (registration.attributes.lat as number)), 0.03);
  });
});
