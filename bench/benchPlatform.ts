/**
 * A session's platform: a fresh database, topic prefix and consumer groups; the api
 * process with the optional plugins that exist on disk and are not built in (alert-rules,
 * for the latency and backtest rows; without them if the api cannot start with them); the
 * external-source simulator its processes may call (allow-listed by host:port); a tenant
 * with simulated and probe devices; and consumer groups that have committed once, so a
 * restarted worker resumes where it stopped instead of at the end of the topic.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtInPluginIds } from "../services/builtInPlugins.ts";
import { createAnanskyClient } from "../services/simulator/apiClient.ts";
import {
  type DeviceCredentials,
  provisionDevices,
  simulatedDeviceRegistration,
} from "../services/simulator/provisioning.ts";
import { postReadings } from "./alertLatency.ts";
import { probeTag } from "./alertObserver.ts";
import { type BenchInfrastructure, repositoryRoot } from "./benchInfrastructure.ts";
import {
  type ExternalSourceSimulatorProcess,
  startExternalSourceSimulatorProcess,
} from "./externalSourceSimulatorProcess.ts";
import type { KafkaInspection } from "./kafkaInspection.ts";
import {
  loadedPluginIds,
  type PlatformProcess,
  type PlatformSettings,
  startPlatformProcess,
} from "./platformProcess.ts";

/** Plugins the bench loads through ANANSKY_PLUGINS when present and not built in. */
const optionalPlugins = ["alert-rules"];

/**
 * The phases that send simulated readings. Each sends from devices of its own: readings a
 * phase leaves unprocessed are skipped (offsets moved on), but alert-rules folds the
 * readings missing from a (rule, device) state's stream position into that state at the
 * device's next reading, so a later phase on the same devices would inherit the skipped
 * work. With one set per phase the skipped readings stay unevaluated, as intended.
 */
export const loadPhases = ["ingest", "latency", "worker.one", "worker.two"] as const;
export type LoadPhase = (typeof loadPhases)[number];

export interface BenchPlatform {
  readonly settings: PlatformSettings;
  readonly api: PlatformProcess;
  readonly tenantId: string;
  readonly tenantKey: string;
  /** `counts.devices` simulated devices per phase (ten per site, sites differing between phases). */
  readonly devices: Readonly<Record<LoadPhase, ReadonlyArray<DeviceCredentials>>>;
  readonly probes: ReadonlyArray<DeviceCredentials>;
  readonly telemetryTopic: string;
  readonly alertsTopic: string;
  /** The outside service of the session's external source (stopped with the session). */
  readonly externalSource: ExternalSourceSimulatorProcess;
  /** Why alert-rules is not there (undefined when it is loaded). */
  readonly alertRulesMissing: string | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The seed of the simulated devices (their placement: ten per site). */
const deviceSeed = 8;

/**
 * Starts the api, with the optional plugins when it can.
 *
 * @example
 * const { api, alertRulesMissing } = await startApi(settings);
 */
const startApi = async (settings: PlatformSettings) => {
  try {
    const api = await startPlatformProcess(settings, "api");
    for (let tries = 0; tries < 20 && loadedPluginIds(api.output()).length === 0; tries++) await sleep(100);
    const loaded = loadedPluginIds(api.output());
    const missing = loaded.includes("alert-rules")
      ? undefined
      : `the alert-rules plugin is not loaded (plugins: ${loaded.join(", ") || "unknown"})`;
    return { api, settings, missing };
  } catch (error) {
    if (settings.plugins.length === 0) throw error;
    const firstLine = (error instanceof Error ? error.message : String(error)).split("\n").slice(0, 3).join(" ");
    process.stderr.write(`bench: the api did not start with ${settings.plugins.join(", ")}; starting without\n`);
    const without = { ...settings, plugins: [] };
    const api = await startPlatformProcess(without, "api");
    return { api, settings: without, missing: `the api did not start with the alert-rules plugin: ${firstLine}` };
  }
};

/**
 * Waits until every projection says it is live: on a fresh database a worker first
 * rebuilds each read model, and keys issued before `api_keys` is live would vanish.
 */
const whenProjectionsLive = async (api: PlatformProcess, adminToken: string, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    const response = await fetch(`${api.url}/admin/projections`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    last = await response.text();
    if (response.ok) {
      const { projections } = JSON.parse(last) as { projections: Array<{ status: string }> };
      if (projections.length > 0 && projections.every((projection) => projection.status === "live")) return;
    }
    await sleep(250);
  }
  throw new Error(`the projections were not live within ${timeoutMs} ms: ${last.slice(0, 300)}`);
};

/**
 * Starts the api and a first worker (returned running: the caller warms the consumer
 * groups up with it), then provisions the tenant and the devices.
 *
 * @example
 * const { platform, worker } = await startBenchPlatform(infrastructure, { devices: 100, probes: 5 });
 */
export const startBenchPlatform = async (
  infrastructure: BenchInfrastructure,
  counts: { readonly devices: number; readonly probes: number },
): Promise<{ readonly platform: BenchPlatform; readonly worker: PlatformProcess }> => {
  const id = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  const plugins = optionalPlugins
    .filter((plugin) => !builtInPluginIds.includes(plugin))
    .map((plugin) => join(repositoryRoot, `plugins/${plugin}/index.ts`))
    .filter((path) => existsSync(path));
  const logDirectory = await mkdtemp(join(tmpdir(), "anansky-bench-logs-"));
  const externalSource = await startExternalSourceSimulatorProcess(logDirectory, { seed: deviceSeed });
  const started = await startApi({
    mongodbUri: infrastructure.mongodbUri,
    kafkaBootstrapServers: infrastructure.kafkaBootstrapServers,
    databaseName: `bench_${id}`,
    topicPrefix: `bench-${id}`,
    groupPrefix: `bench-${id}`,
    adminToken: randomBytes(24).toString("hex"),
    plugins,
    logDirectory,
    outboundAllowList: [externalSource.hostAndPort],
  }).catch(async (error: unknown) => {
    await externalSource.stop();
    throw error;
  });
  const { api, settings } = started;
  const worker = await startPlatformProcess(settings, "worker");
  await whenProjectionsLive(api, settings.adminToken, 90_000);

  const client = createAnanskyClient({ baseUrl: api.url, requestTimeoutMs: 30_000 });
  const tenantId = `bench_${id}`;
  await client.createTenant(settings.adminToken, { tenantId, name: "bench" });
  const { key: tenantKey } = await client.createTenantKey(settings.adminToken, tenantId);
  const keysFile = join(await mkdtemp(join(tmpdir(), "anansky-bench-")), "keys.json");
  const { devices: provisioned } = await provisionDevices({
    client,
    url: api.url,
    tenantId,
    deviceCount: counts.devices * loadPhases.length,
    keysFilePath: keysFile,
    tenantKey,
    seed: deviceSeed,
  });
  const devicesOf = (phase: LoadPhase) => {
    const index = loadPhases.indexOf(phase);
    return provisioned.slice(index * counts.devices, (index + 1) * counts.devices);
  };
  const devices = {
    ingest: devicesOf("ingest"),
    latency: devicesOf("latency"),
    "worker.one": devicesOf("worker.one"),
    "worker.two": devicesOf("worker.two"),
  };
  const probes: Array<DeviceCredentials> = [];
  for (let index = 0; index < counts.probes; index++) {
    const deviceId = `probe-${index + 1}`;
    // Placed like a simulated device (lat, lon, site), so probe readings are enriched too.
    const { attributes } = simulatedDeviceRegistration(deviceSeed, index);
    const { key } = await client.registerDevice(tenantKey, {
      deviceId,
      name: deviceId,
      attributes,
      tags: [probeTag],
    });
    probes.push({ deviceId, ...key });
  }
  const platform: BenchPlatform = {
    settings,
    api,
    tenantId,
    tenantKey,
    devices,
    probes,
    telemetryTopic: `${settings.topicPrefix}.telemetry`,
    alertsTopic: `${settings.topicPrefix}.alerts`,
    externalSource,
    alertRulesMissing: started.missing,
  };
  return { platform, worker };
};

/**
 * With a worker running, sends a reading from every device and waits until every group
 * reading the telemetry topic has committed it; returns those groups. (Every device then
 * has its enrichment and rule states, as in a running deployment.)
 *
 * @example
 * const groups = await warmUpConsumerGroups(platform, inspection, worker, 60_000);
 */
export const warmUpConsumerGroups = async (
  platform: BenchPlatform,
  inspection: KafkaInspection,
  worker: PlatformProcess,
  timeoutMs: number,
): Promise<Array<string>> => {
  for (const device of [...loadPhases.flatMap((phase) => platform.devices[phase]), ...platform.probes]) {
    await postReadings(platform.api.url, device.key, [
      { values: device.deviceId.startsWith("probe") ? { probe: 0 } : { temperature: 21 } },
    ]);
  }
  const deadline = Date.now() + timeoutMs;
  let previous = "";
  let stableFor = 0;
  for (;;) {
    const groups = await inspection.groupsReading(platform.telemetryTopic, platform.settings.groupPrefix);
    const lags = await inspection.lagOf(groups, platform.telemetryTopic);
    const caughtUp = groups.length > 0 && groups.every((group) => lags.get(group) === 0);
    stableFor = caughtUp && groups.join(",") === previous ? stableFor + 1 : 0;
    previous = groups.join(",");
    if (stableFor >= 3) return groups;
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) {
      throw new Error(`the worker exited while warming up:\n${worker.output().slice(-4_000)}`);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the consumer groups did not catch up within ${timeoutMs} ms (${JSON.stringify([...lags])}); worker output:\n${worker.output().slice(-4_000)}`,
      );
    }
    await sleep(500);
  }
};
