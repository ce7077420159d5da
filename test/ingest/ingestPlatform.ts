/**
 * The ingest plugin in a real platform process (services/main.ts, MODE=all, real Kafka
 * and FerretDB), loaded from ANANSKY_PLUGINS as a third-party plugin would be, with a
 * database of its own so event counts belong to one test file. Keys are seeded straight
 * into `rm_api_keys` (the devices plugin issues them in production).
 */
import { randomBytes } from "node:crypto";
import { MongoClient } from "mongodb";
import { hashApiKey } from "../../core/auth/ApiKeys.ts";
import { type PlatformProcess, startPlatform } from "../harness/platformProcess.ts";
import { projectionsLive } from "../harness/projectionsLive.ts";
import { testEnvironment, uniqueName } from "../harness/testEnvironment.ts";
import type { KeySeed } from "./inMemoryIngest.ts";

/** An `rm_api_keys` document: ApiKeyRecord under `_id` = the key's SHA-256. */
type ApiKeyDocument = { _id: string } & Record<string, unknown>;

export const adminToken = "ingest-e2e-admin-token-0123456789";

export interface IngestPlatform {
  readonly platform: PlatformProcess;
  readonly send: (path: string, init?: RequestInit) => Promise<Response>;
  /** Inserts an API key record; returns the secret to send. */
  seedKey(seed: KeySeed): Promise<string>;
  seedDevice(tenantId: string, deviceId: string, status: "active" | "decommissioned"): Promise<void>;
  /** Documents in the `events` collection. */
  countEvents(): Promise<number>;
  /** Events Kafka has not acknowledged yet (the publisher flushes them at shutdown). */
  countUnpublished(): Promise<number>;
  /** Stops the process and drops the database; resolves to the exit code. */
  stop(): Promise<number | null>;
}

/**
 * @example
 * const ingest = await startIngestPlatform("happy");
 * const secret = await ingest.seedKey({ secret: "ak_d_x", kind: "device", tenantId: "acme", deviceId: "pump-1" });
 */
export const startIngestPlatform = async (name: string, env: Record<string, string> = {}): Promise<IngestPlatform> => {
  const databaseName = `ingest_${name}_${randomBytes(4).toString("hex")}`;
  const platform = await startPlatform({
    MODE: "all",
    DATABASE_NAME: databaseName,
    // Also built in: the loader keeps one copy of the same plugin object.
    ANANSKY_TOPIC_PREFIX: uniqueName(`ingest-${name}`),
    KAFKA_GROUP_ID: uniqueName(`ingest-${name}-group`),
    ANANSKY_ADMIN_TOKEN: adminToken,
    ...env,
  });
  const mongo = await new MongoClient(testEnvironment().mongodbUri).connect();
  const db = mongo.db(databaseName);
  const send = (path: string, init?: RequestInit) => fetch(`${platform.url}${path}`, init);
  // Every projection, not just ours: a built-in plugin's rebuild drops its collection (rm_api_keys).
  await projectionsLive(platform.url, adminToken, ["latest", "readings"], { everyProjection: true });
  return {
    platform,
    send,
    seedKey: async (seed) => {
      const keyHash = await hashApiKey(seed.secret);
      await db.collection<ApiKeyDocument>("rm_api_keys").insertOne({
        _id: keyHash,
        kind: seed.kind,
        keyId: keyHash.slice(0, 12),
        tenantId: seed.tenantId,
        status: seed.status ?? "active",
        ...(seed.deviceId === undefined ? {} : { deviceId: seed.deviceId }),
        ...(seed.gatewayFor === undefined ? {} : { gatewayFor: [...seed.gatewayFor] }),
      });
      return seed.secret;
    },
    seedDevice: async (tenantId, deviceId, status) => {
      await db
        .collection<{ _id: string; tenantId: string; deviceId: string; status: string }>("rm_devices")
        .replaceOne({ _id: `${tenantId}|${deviceId}` }, { tenantId, deviceId, status }, { upsert: true });
    },
    countEvents: () => db.collection("events").countDocuments(),
    countUnpublished: () => db.collection("outbox").countDocuments(),
    stop: async () => {
      const code = await platform.stop();
      await db.dropDatabase();
      await mongo.close();
      return code;
    },
  };
};

/** A fresh secret per test run, so reruns against a kept database never collide. */
export const secretFor = (kind: "d" | "t", name: string) => `ak_${kind}_${name}_${randomBytes(8).toString("hex")}`;
