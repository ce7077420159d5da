/**
 * The alert-rules plugins in real platform processes (services/main.ts on real Kafka and
 * FerretDB), loaded through ANANSKY_PLUGINS with ingest and devices, with a database and
 * topics of their own. Tenants and devices are made through the devices plugin's routes;
 * readings go through ingest with device keys, as in production.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { type Db, MongoClient } from "mongodb";
import { expect } from "vitest";
import { builtInPluginIds } from "../../services/builtInPlugins.ts";
import { type PlatformProcess, repositoryRoot, startPlatform } from "../harness/platformProcess.ts";
import { projectionsLive } from "../harness/projectionsLive.ts";
import { eventually, testEnvironment, uniqueName } from "../harness/testEnvironment.ts";

export const adminToken = "alert-rules-e2e-admin-token-0123456789";

// The four plugins, less those the platform already builds in (loading one twice is refused).
const builtIn = new Set(builtInPluginIds);
const pluginPaths = ["ingest", "devices", "alert-rules", "webhook-notifier"]
  .filter((name) => !builtIn.has(name))
  .map((name) => join(repositoryRoot, `plugins/${name}/index.ts`))
  .join(",");

const projectionNames = [
  "devices",
  "api_keys",
  "readings",
  "latest",
  "rules",
  "alerts",
  "alert_silences",
  "webhook_targets",
];

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: replies are inspected loosely
  readonly json: any;
  readonly text: string;
}

export interface AlertRulesPlatform {
  /** The process serving HTTP (and, unless a separate worker was asked for, consuming). */
  readonly server: PlatformProcess;
  /** The MODE=consumer process, when the platform runs one apart from the server. */
  worker(): PlatformProcess | undefined;
  /** Starts a (new) MODE=consumer process with the platform's environment. */
  startWorker(): Promise<PlatformProcess>;
  readonly db: Db;
  /** The environment every process of this platform shares (to start more of them). */
  readonly env: Readonly<Record<string, string>>;
  call(
    method: string,
    path: string,
    credential?: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Reply>;
  /** A new tenant and one of its keys. */
  newTenant(): Promise<{ readonly tenantId: string; readonly key: string }>;
  /** Registers a device; returns its device key. */
  registerDevice(tenantKey: string, deviceId: string, tags?: ReadonlyArray<string>): Promise<string>;
  /** Sends readings of the key's device (ts: epoch ms, or the server's clock when absent). */
  send(
    deviceKey: string,
    readings: ReadonlyArray<{ ts?: number; values: Record<string, number | string | boolean> }>,
  ): Promise<void>;
  /** Creates a rule (expecting 201). */
  createRule(tenantKey: string, rule: Record<string, unknown>): Promise<Reply>;
  /** The tenant's alerts for a query, once `ready` holds for them. */
  alertsWhen(
    tenantKey: string,
    query: string,
    // biome-ignore lint/suspicious/noExplicitAny: alerts are inspected loosely
    ready: (alerts: Array<any>) => boolean,
    timeoutMs?: number,
    // biome-ignore lint/suspicious/noExplicitAny: alerts are inspected loosely
  ): Promise<Array<any>>;
  stop(): Promise<void>;
}

/**
 * `separateWorker`: the server runs MODE=server and a MODE=consumer process consumes (so a
 * test can kill the worker alone).
 *
 * @example
 * const platform = await startAlertRulesPlatform("conditions", { ANANSKY_ALERT_TICK_LAG_MS: "600000" });
 */
export const startAlertRulesPlatform = async (
  name: string,
  extraEnv: Record<string, string> = {},
  options: { readonly separateWorker?: boolean } = {},
): Promise<AlertRulesPlatform> => {
  const env = {
    DATABASE_NAME: `alerts_${name}_${randomBytes(4).toString("hex")}`,
    ANANSKY_PLUGINS: pluginPaths,
    ANANSKY_TOPIC_PREFIX: uniqueName(`alerts-${name}`),
    KAFKA_GROUP_ID: uniqueName(`alerts-${name}-group`),
    ANANSKY_ADMIN_TOKEN: adminToken,
    ANANSKY_HANDLER_MAX_ATTEMPTS: "4",
    ANANSKY_HANDLER_RETRY_BASE_MS: "150",
    ANANSKY_ALERT_RULE_CACHE_MS: "100",
    ...extraEnv,
  };
  const server = await startPlatform({ ...env, MODE: options.separateWorker === true ? "server" : "all" });
  let worker: PlatformProcess | undefined;
  const startWorker = async () => {
    worker = await startPlatform({ ...env, MODE: "consumer" });
    return worker;
  };
  if (options.separateWorker === true) await startWorker();
  const mongo = await new MongoClient(testEnvironment().mongodbUri).connect();
  const db = mongo.db(env.DATABASE_NAME);

  const call: AlertRulesPlatform["call"] = async (method, path, credential, body, headers = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(credential === undefined ? {} : { authorization: `Bearer ${credential}` }),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const json = text !== "" && !text.includes("\n{") ? JSON.parse(text) : undefined;
    return { status: response.status, headers: response.headers, json, text };
  };
  await projectionsLive(server.url, adminToken, projectionNames);

  return {
    server,
    worker: () => worker,
    startWorker,
    db,
    env,
    call,
    newTenant: async () => {
      const tenantId = `t_${randomBytes(5).toString("hex")}`;
      expect((await call("POST", "/admin/tenants", adminToken, { tenantId, name: tenantId })).status).toBe(201);
      const issued = await call("POST", `/admin/tenants/${tenantId}/keys`, adminToken);
      expect(issued.status).toBe(201);
      return { tenantId, key: issued.json.key as string };
    },
    registerDevice: async (tenantKey, deviceId, tags = []) => {
      const reply = await call("POST", "/v1/devices", tenantKey, { deviceId, name: deviceId, tags });
      expect(reply.status, reply.text).toBe(201);
      return reply.json.key.key as string;
    },
    send: async (deviceKey, readings) => {
      const body = readings.map((reading) => (reading.ts === undefined ? { values: reading.values } : reading));
      const reply = await call("POST", "/v1/telemetry", deviceKey, body);
      expect(reply.status, reply.text).toBe(202);
      expect(reply.json.accepted).toBe(readings.length);
    },
    createRule: async (tenantKey, rule) => {
      const reply = await call("POST", "/v1/rules", tenantKey, rule);
      expect(reply.status, reply.text).toBe(201);
      return reply;
    },
    alertsWhen: (tenantKey, query, ready, timeoutMs = 30_000) =>
      eventually(
        async () => {
          const reply = await call("GET", `/v1/alerts?${query}`, tenantKey);
          expect(reply.status, reply.text).toBe(200);
          return ready(reply.json.alerts) ? reply.json.alerts : undefined;
        },
        { what: `alerts for ${query}`, timeoutMs, intervalMs: 250 },
      ),
    stop: async () => {
      const workerCode = await worker?.stop();
      const code = await server.stop();
      expect(workerCode ?? 0).toBe(0);
      await db.dropDatabase();
      await mongo.close();
      expect(code).toBe(0);
    },
  };
};

/** A threshold rule on `temp` for one device. */
export const thresholdOn = (
  ruleId: string,
  deviceId: string,
  threshold: number,
  extra: Record<string, unknown> = {},
) => ({
  ruleId,
  name: `${deviceId} temp above ${threshold}`,
  severity: "major",
  scope: { deviceId },
  condition: { type: "threshold", value: { source: "reading", key: "temp" }, op: ">", threshold },
  ...extra,
});
