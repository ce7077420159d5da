/**
 * The external-source plugin end to end: services/main.ts as a real process on the real
 * Kafka and FerretDB with the ingest, devices and external-source plugins loaded from
 * ANANSKY_PLUGINS, and the external-source simulator running in this test process. The
 * simulator listens on 127.0.0.1, so the platform allow-lists exactly its host:port (and
 * excepts exactly that address:port from the private-address rule); `localhost` is
 * allow-listed as a host so that tests can show a name resolving to loopback is refused.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Db, MongoClient } from "mongodb";
import { builtInPluginIds } from "../../services/builtInPlugins.ts";
import {
  type ExternalSourceSimulator,
  startExternalSourceSimulator,
} from "../../services/external-source-simulator/startExternalSourceSimulator.ts";
import { type PlatformProcess, repositoryRoot, startPlatform } from "../harness/platformProcess.ts";
import { projectionsLive } from "../harness/projectionsLive.ts";
import { eventually, testEnvironment, uniqueName } from "../harness/testEnvironment.ts";

export const adminToken = "external-source-e2e-admin-token-0123";

export interface Reply {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: replies are inspected loosely
  readonly json: any;
}

/** A TelemetryEnriched as stored (payload keys escaped like ingest's, which these tests do not use). */
export interface StoredEnriched {
  readonly _id: string;
  readonly causationId: string;
  readonly payload: {
    readonly deviceId: string;
    readonly ts: string;
    readonly values: Record<string, unknown>;
    readonly enrichment: Record<string, unknown>;
    readonly enrichmentStatus: string;
    readonly sources: ReadonlyArray<Record<string, unknown> & { sourceId: string; status: string; circuit: string }>;
  };
}

export interface EnrichmentPlatform {
  readonly platform: PlatformProcess;
  readonly simulator: ExternalSourceSimulator;
  readonly db: Db;
  call(method: string, path: string, credential?: string, body?: unknown): Promise<Reply>;
  /** A tenant and its key. */
  newTenant(): Promise<{ readonly tenantId: string; readonly key: string }>;
  /** Registers a device; returns its key. */
  registerDevice(tenantKey: string, device: Record<string, unknown>): Promise<string>;
  /** TelemetryEnriched events of a device, oldest first. */
  enrichedOf(tenantId: string, deviceId: string): Promise<ReadonlyArray<StoredEnriched>>;
  /** Waits for the device's `n`th TelemetryEnriched and returns it. */
  nthEnriched(tenantId: string, deviceId: string, n: number): Promise<StoredEnriched>;
  stop(): Promise<number | null>;
}

const projectionNames = ["latest", "readings", "devices", "api_keys", "external_sources", "enriched_latest"];

/**
 * @example
 * const e2e = await startEnrichmentPlatform("happy");
 * const { key } = await e2e.newTenant();
 */
export const startEnrichmentPlatform = async (name: string): Promise<EnrichmentPlatform> => {
  const simulator = await startExternalSourceSimulator();
  const simulatorHost = new URL(simulator.url).host;
  const databaseName = `external_source_${name}_${randomBytes(4).toString("hex")}`;
  // Whichever of them the platform does not build in comes from ANANSKY_PLUGINS, as a third-party plugin would.
  const builtIn = new Set(builtInPluginIds);
  const plugins = ["ingest", "devices", "external-source"]
    .filter((plugin) => !builtIn.has(plugin))
    .map((plugin) => join(repositoryRoot, `plugins/${plugin}/index.ts`))
    .filter((path) => existsSync(path));
  const platform = await startPlatform({
    MODE: "all",
    DATABASE_NAME: databaseName,
    ANANSKY_PLUGINS: plugins.join(","),
    ANANSKY_TOPIC_PREFIX: uniqueName(`xs-${name}`),
    KAFKA_GROUP_ID: uniqueName(`xs-${name}-group`),
    ANANSKY_ADMIN_TOKEN: adminToken,
    ANANSKY_OUTBOUND_ALLOW_HOSTS: `${simulatorHost},localhost`,
    ANANSKY_OUTBOUND_ALLOW_PRIVATE: simulatorHost,
  });
  const mongo = await new MongoClient(testEnvironment().mongodbUri).connect();
  const db = mongo.db(databaseName);

  const call = async (method: string, path: string, credential?: string, body?: unknown): Promise<Reply> => {
    const response = await fetch(`${platform.url}${path}`, {
      method,
      headers: {
        ...(credential === undefined ? {} : { authorization: `Bearer ${credential}` }),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text === "" ? undefined : JSON.parse(text) };
  };

  const expectStatus = (reply: Reply, status: number, what: string) => {
    if (reply.status !== status) throw new Error(`${what}: ${reply.status} ${JSON.stringify(reply.json)}`);
    return reply;
  };

  await projectionsLive(platform.url, adminToken, projectionNames);

  const enrichedOf = (tenantId: string, deviceId: string) =>
    db
      .collection<StoredEnriched>("events")
      .find({ type: "TelemetryEnriched", tenantId, "payload.deviceId": deviceId })
      .sort({ _id: 1 })
      .toArray();

  return {
    platform,
    simulator,
    db,
    call,
    newTenant: async () => {
      const tenantId = `t_${randomBytes(4).toString("hex")}`;
      expectStatus(await call("POST", "/admin/tenants", adminToken, { tenantId, name: tenantId }), 201, "tenant");
      const issued = expectStatus(await call("POST", `/admin/tenants/${tenantId}/keys`, adminToken), 201, "tenant key");
      return { tenantId, key: issued.json.key as string };
    },
    registerDevice: async (tenantKey, device) => {
      const registered = expectStatus(await call("POST", "/v1/devices", tenantKey, device), 201, "device");
      const key = registered.json.key;
      return typeof key === "string" ? key : (key.key as string);
    },
    enrichedOf,
    nthEnriched: (tenantId, deviceId, n) =>
      eventually(
        async () => {
          const events = await enrichedOf(tenantId, deviceId);
          return events.length >= n ? events[n - 1] : undefined;
        },
        { what: `TelemetryEnriched #${n} of ${deviceId}`, timeoutMs: 60_000, intervalMs: 100 },
      ),
    stop: async () => {
      const code = await platform.stop();
      await db.dropDatabase();
      await mongo.close();
      await simulator.close();
      return code;
    },
  };
};

/**
 * POSTs readings with a device (or gateway) key; fails unless all are accepted.
 *
 * @example
 * await postReadings(e2e, deviceKey, [{ values: { temp: 21 } }]);
 */
export const postReadings = async (e2e: EnrichmentPlatform, key: string, readings: ReadonlyArray<unknown>) => {
  const reply = await e2e.call("POST", "/v1/telemetry", key, readings.length === 1 ? readings[0] : readings);
  if (reply.status !== 202 || reply.json.accepted !== readings.length) {
    throw new Error(`telemetry: ${reply.status} ${JSON.stringify(reply.json)}`);
  }
  return reply.json as { readonly eventIds: ReadonlyArray<string> };
};
