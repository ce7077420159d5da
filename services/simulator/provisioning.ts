/**
 * Getting device keys to send with: reuse the keys file when it holds enough devices,
 * otherwise create the tenant (admin token) or use the given tenant key, register the
 * missing devices and save their keys, which the API shows only once.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { type AnanskyClient, ApiRequestFailed, type DeviceRegistration, type IssuedKey } from "./apiClient.ts";
import { createSeededRandom } from "./seededRandom.ts";

/** A device the simulator can send as. */
export interface DeviceCredentials {
  readonly deviceId: string;
  readonly keyId: string;
  readonly key: string;
}

/** What the keys file holds (secrets: written with mode 0600). */
export interface KeysFile {
  readonly tenantId: string;
  readonly url: string;
  readonly tenantKey?: IssuedKey;
  readonly devices: ReadonlyArray<DeviceCredentials>;
}

/** Provisioning cannot go on: missing credentials, or a keys file for another tenant. */
export class ProvisioningFailed extends Error {
  override readonly name = "ProvisioningFailed";
}

export interface ProvisioningOptions {
  readonly client: AnanskyClient;
  readonly url: string;
  readonly tenantId: string;
  readonly deviceCount: number;
  readonly keysFilePath: string;
  readonly adminToken?: string | undefined;
  readonly tenantKey?: string | undefined;
  readonly seed: number | string;
  readonly onLog?: (message: string) => void;
}

export interface ProvisionedDevices {
  readonly tenantId: string;
  readonly devices: ReadonlyArray<DeviceCredentials>;
  readonly registered: number;
  readonly reused: number;
}

const devicesPerSite = 10;

/** Stable ids, so a lost keys file finds the same devices again. */
export const simulatedDeviceId = (index: number): string => `sim-${String(index + 1).padStart(4, "0")}`;

/**
 * The registration body of the device at `index`: ten devices per site, sites scattered
 * over Europe, devices within about a kilometre of their site.
 *
 * @example
 * simulatedDeviceRegistration(42, 23);
 * // { deviceId: "sim-0024", name: "Simulated sensor 24", attributes: { lat, lon, site: "site-3" }, tags: ["sim", "site-3"] }
 */
export const simulatedDeviceRegistration = (seed: number | string, index: number): DeviceRegistration => {
  const siteNumber = Math.floor(index / devicesPerSite) + 1;
  const site = `site-${siteNumber}`;
  const siteRandom = createSeededRandom(seed, "site", siteNumber);
  const deviceRandom = createSeededRandom(seed, "device", index, "placement");
  const round5 = (value: number) => Math.round(value * 1e5) / 1e5;
  return {
    deviceId: simulatedDeviceId(index),
    name: `Simulated sensor ${index + 1}`,
    attributes: {
      lat: round5(siteRandom.between(36, 60) + deviceRandom.between(-0.01, 0.01)),
      lon: round5(siteRandom.between(-9, 30) + deviceRandom.between(-0.01, 0.01)),
      site,
    },
    tags: ["sim", site],
  };
};

/** The keys file, or undefined when there is none yet. */
export const readKeysFile = async (path: string): Promise<KeysFile | undefined> => {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<KeysFile>;
  if (typeof parsed.tenantId !== "string" || !Array.isArray(parsed.devices)) {
    throw new ProvisioningFailed(`${path} is not a simulator keys file (tenantId and devices expected)`);
  }
  return parsed as KeysFile;
};

/** Writes via a temporary file and a rename, so an interrupted run never leaves half a file. */
export const writeKeysFile = async (path: string, keys: KeysFile): Promise<void> => {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
};

/**
 * @example
 * const { devices } = await provisionDevices({
 *   client, url, tenantId: "acme", deviceCount: 50, keysFilePath: ".anansky/sim-keys.json", adminToken, seed: 42,
 * });
 */
export const provisionDevices = async (options: ProvisioningOptions): Promise<ProvisionedDevices> => {
  const { client, tenantId, deviceCount, keysFilePath } = options;
  const log = options.onLog ?? (() => {});
  const existing = await readKeysFile(keysFilePath);
  if (existing !== undefined && existing.tenantId !== tenantId) {
    throw new ProvisioningFailed(
      `${keysFilePath} holds devices of tenant "${existing.tenantId}", not "${tenantId}": pass another --keys-file`,
    );
  }
  if (existing !== undefined && existing.url !== options.url) {
    log(`note: ${keysFilePath} was written for ${existing.url}; using its keys against ${options.url}`);
  }
  const known = existing?.devices ?? [];
  if (known.length >= deviceCount) {
    return { tenantId, devices: known.slice(0, deviceCount), registered: 0, reused: deviceCount };
  }

  const missing = deviceCount - known.length;
  let tenantKey = options.tenantKey ?? existing?.tenantKey?.key;
  let issuedTenantKey = existing?.tenantKey;
  if (tenantKey === undefined) {
    if (options.adminToken === undefined) {
      throw new ProvisioningFailed(
        `${missing} device(s) to register and no credentials: pass --admin-token or --tenant-key` +
          (known.length > 0 ? ` (or --devices ${known.length} to use the keys file as it is)` : ""),
      );
    }
    const tenant = await client.createTenant(options.adminToken, { tenantId, name: tenantId });
    log(`tenant ${tenantId}: ${tenant}`);
    issuedTenantKey = await client.createTenantKey(options.adminToken, tenantId);
    tenantKey = issuedTenantKey.key;
  }

  const credential = tenantKey;
  const devices: Array<DeviceCredentials> = [...known];
  const registerOne = async (index: number): Promise<DeviceCredentials> => {
    const registration = simulatedDeviceRegistration(options.seed, index);
    try {
      const { key } = await client.registerDevice(credential, registration);
      return { deviceId: registration.deviceId, ...key };
    } catch (error) {
      if (!(error instanceof ApiRequestFailed && error.status === 409)) throw error;
      // Registered by an earlier run whose keys were lost: issue this run a new key.
      const key = await client.issueDeviceKey(credential, registration.deviceId);
      return { deviceId: registration.deviceId, ...key };
    }
  };

  // Indices not in the file yet (an earlier run may have stopped half-way).
  const knownIds = new Set(known.map((device) => device.deviceId));
  const toRegister: Array<number> = [];
  for (let index = 0; toRegister.length < missing; index++) {
    if (!knownIds.has(simulatedDeviceId(index))) toRegister.push(index);
  }

  log(`registering ${missing} device(s) in tenant ${tenantId}`);
  // A few registrations at a time; keys are saved even when one fails, as they are shown once.
  const registered = new Map<number, DeviceCredentials>();
  const queue = [...toRegister];
  let firstFailure: unknown;
  const worker = async () => {
    for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
      try {
        registered.set(index, await registerOne(index));
      } catch (error) {
        firstFailure ??= error;
        queue.length = 0; // stop the other workers after their current call
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, missing) }, worker));
  const inOrder = [...registered.entries()].sort(([a], [b]) => a - b).map(([, device]) => device);
  devices.push(...inOrder);
  await writeKeysFile(keysFilePath, {
    tenantId,
    url: options.url,
    ...(issuedTenantKey === undefined ? {} : { tenantKey: issuedTenantKey }),
    devices,
  });
  if (firstFailure !== undefined) throw firstFailure;
  return { tenantId, devices, registered: missing, reused: known.length };
};
