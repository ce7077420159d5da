/**
 * A bench session: one fresh platform (database, topics, consumer groups, tenant and
 * devices) for one run, the profiles, or the backtests, so every run starts from an
 * empty store (the event store's cost grows with its size: a shared store would make
 * each run slower than the one before). The tenant gets the probe rule and the fleet
 * workload (fleetWorkload.ts: an external source every device triggers, fleet-wide
 * rules), so workers enrich and evaluate every reading. Closing it stops its processes
 * (the external-source simulator included) and deletes what it created.
 */
import type { Db, MongoClient } from "mongodb";
import { createProbeRule, FeatureUnavailable } from "./alertObserver.ts";
import type { BenchInfrastructure } from "./benchInfrastructure.ts";
import type { BenchScale } from "./benchOptions.ts";
import { type BenchPlatform, startBenchPlatform, warmUpConsumerGroups } from "./benchPlatform.ts";
import { defineFleetWorkload } from "./fleetWorkload.ts";
import type { KafkaInspection } from "./kafkaInspection.ts";
import type { PlatformProcess } from "./platformProcess.ts";

export interface BenchSession {
  readonly platform: BenchPlatform;
  readonly db: Db;
  /** The consumer groups that read the telemetry topic. */
  readonly groups: ReadonlyArray<string>;
  /** Why the latency rows are n/a (undefined: measure them). */
  readonly latencyMissing: string | undefined;
  /** Every worker process of the session once stopped (for the peak RSS row). */
  readonly stoppedWorkers: Array<PlatformProcess>;
  /** Stops the processes, deletes the topics and groups. Safe to call twice. (The database is dropped by `dropBenchDatabases`.) */
  close(): Promise<void>;
}

/**
 * @example
 * const session = await openBenchSession({ infrastructure, mongo, inspection, scale, log });
 * try { await runOnce({ ...session, ... }); } finally { await session.close(); }
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Drops the sessions' databases once no process of the bench runs any more, after a
 * pause: FerretDB on SQLite keeps executing a query whose client has gone, and dropping
 * the database under it crashed the server (SIGBUS in the SQLite WAL) in our runs.
 *
 * @example
 * await dropBenchDatabases(mongo, ["bench_x1", "bench_x2"], log);
 */
export const dropBenchDatabases = async (
  mongo: MongoClient,
  names: ReadonlyArray<string>,
  log: (message: string) => void,
): Promise<void> => {
  if (names.length === 0) return;
  await sleep(5_000);
  for (const name of names) {
    await mongo
      .db(name)
      .dropDatabase()
      .catch((error: unknown) => log(`bench: dropping ${name} failed: ${String(error)}`));
  }
};

export const openBenchSession = async (options: {
  readonly infrastructure: BenchInfrastructure;
  readonly mongo: MongoClient;
  readonly inspection: KafkaInspection;
  readonly scale: BenchScale;
  readonly log: (message: string) => void;
}): Promise<BenchSession> => {
  const { inspection, log } = options;
  log("session: a fresh api and worker, external-source simulator, tenant, devices, source and rules");
  const { platform, worker } = await startBenchPlatform(options.infrastructure, {
    devices: options.scale.devices,
    probes: options.scale.latency.probeDevices,
  });
  const db = options.mongo.db(platform.settings.databaseName);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await worker.stop(30_000);
    await platform.api.stop(30_000);
    await platform.externalSource.stop();
    const kept = await inspection
      .deleteByPrefix(platform.settings.topicPrefix, platform.settings.groupPrefix)
      .catch(() => Number.NaN);
    if (kept !== 0)
      log(`session: ${kept} consumer group(s) not deleted (members still leaving); the broker expires them`);
  };
  try {
    const latencyMissing =
      platform.alertRulesMissing ??
      (await createProbeRule(platform.api.url, platform.tenantKey).then(
        () => undefined,
        (error: unknown) =>
          error instanceof FeatureUnavailable ? error.message : `creating the probe rule: ${String(error)}`,
      ));
    // Before the warm-up, with the first worker running: it projects what the workers read.
    await defineFleetWorkload({
      url: platform.api.url,
      tenantKey: platform.tenantKey,
      simulatorUrl: platform.externalSource.url,
      withRules: platform.alertRulesMissing === undefined,
      timeoutMs: 60_000,
    });
    const stoppedWorkers: Array<PlatformProcess> = [];
    const groups = await warmUpConsumerGroups(platform, inspection, worker, 120_000).finally(async () => {
      await worker.stop(30_000);
      stoppedWorkers.push(worker);
    });
    log(`session: process logs in ${platform.settings.logDirectory}`);
    return { platform, db, groups, latencyMissing, stoppedWorkers, close };
  } catch (error) {
    await close();
    throw error;
  }
};
