/**
 * The platform the devices e2e test talks to: services/main.ts as a real process on the
 * real Kafka and FerretDB, with the devices plugin built in (as a
 * third-party plugin would be), its own database (so event counts are ours alone), and
 * HTTP helpers that keep the test itself about behaviour.
 */
import { randomBytes } from "node:crypto";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { type PlatformProcess, startPlatform } from "../harness/platformProcess.ts";
import { projectionsLive } from "../harness/projectionsLive.ts";
import { testEnvironment, uniqueName } from "../harness/testEnvironment.ts";

export const adminToken = "devices-e2e-admin-token-0123456789";
const databaseName = `devices_e2e_${randomBytes(4).toString("hex")}`;
let platform: PlatformProcess;
let mongo: MongoClient;

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: replies are inspected loosely
  readonly json: any;
}

/**
 * One HTTP request; `body` is sent as JSON, or as is when it is a string.
 *
 * @example
 * const reply = await call("GET", "/v1/devices", tenantKey);
 */
export const call = async (
  method: string,
  path: string,
  credential?: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> => {
  const response = await fetch(`${platform.url}${path}`, {
    method,
    headers: {
      ...(credential === undefined ? {} : { authorization: `Bearer ${credential}` }),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text === "" ? undefined : JSON.parse(text) };
};

/** The base URL, for requests `call` cannot make (raw Authorization headers). */
export const platformUrl = () => platform.url;

export const expectProblem = (reply: Reply, status: number) => {
  expect(reply.status, JSON.stringify(reply.json)).toBe(status);
  expect(reply.headers.get("content-type")).toContain("application/problem+json");
  expect(reply.json).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
};

/** The field paths of a 400, sorted. */
export const fieldsOf = (reply: Reply): Array<string> =>
  ((reply.json?.errors ?? []) as Array<{ field: string }>).map((issue) => issue.field).sort();

/** Events in the platform's `events` collection. */
export const storedEvents = () => mongo.db(databaseName).collection("events").countDocuments();

/** The platform's database, to look at read models directly. */
export const platformDatabase = () => mongo.db(databaseName);

/** A new tenant (unique id) and one of its keys. */
export const newTenant = async () => {
  const tenantId = `t_${randomBytes(5).toString("hex")}`;
  const created = await call("POST", "/admin/tenants", adminToken, { tenantId, name: `Tenant ${tenantId}` });
  expect(created.status).toBe(201);
  expect(created.json).toEqual({ tenantId, name: `Tenant ${tenantId}` });
  const issued = await call("POST", `/admin/tenants/${tenantId}/keys`, adminToken);
  expect(issued.status).toBe(201);
  expect(issued.json.key).toMatch(/^ak_t_/);
  return { tenantId, key: issued.json.key as string, keyId: issued.json.keyId as string };
};

/** Registers a device (expecting 201): the device, its key and key id. */
export const register = async (tenantKey: string, body: Record<string, unknown>) => {
  const reply = await call("POST", "/v1/devices", tenantKey, body);
  expect(reply.status, JSON.stringify(reply.json)).toBe(201);
  return { device: reply.json.device, key: reply.json.key.key as string, keyId: reply.json.key.keyId as string };
};

/** Starts the platform before the file's tests and stops it (exit code 0) after them. */
export const useDevicesPlatform = (): void => {
  beforeAll(async () => {
    platform = await startPlatform({
      MODE: "all",
      DATABASE_NAME: databaseName,
      ANANSKY_TOPIC_PREFIX: uniqueName("devices"),
      KAFKA_GROUP_ID: uniqueName("devices-group"),
      ANANSKY_ADMIN_TOKEN: adminToken,
    });
    mongo = await new MongoClient(testEnvironment().mongodbUri).connect();
    // The runner rebuilds new projections at start (dropping their collections): let it finish first.
    await projectionsLive(platform.url, adminToken, ["devices", "api_keys"]);
  });

  // A failing test shows what the platform logged (an unhandled error's cause is only there).
  beforeEach((context) => {
    context.onTestFailed(() => console.error(`platform output:\n${platform?.output()}`));
  });

  afterAll(async () => {
    const code = await platform?.stop();
    await mongo?.db(databaseName).dropDatabase();
    await mongo?.close();
    expect(code).toBe(0);
  });
};
