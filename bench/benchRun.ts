/**
 * One run of every measurement, on a fresh platform: raw baselines; ingest with no
 * worker running (its backlog is then skipped); the latency phase with one worker; a
 * burst drained by one worker, then by two (workers start before the burst, so no group
 * rebalances mid-drain). The store grows as the run goes on, and its cost with it: each
 * row's notes say how many events it held when the row started. Backtests run in a
 * session of their own: the million stored readings they need would slow everything.
 */
import type { KafkaJS } from "@confluentinc/kafka-javascript";
import { measureAlertLatency, warmUpProbe } from "./alertLatency.ts";
import { observeRaisedAlerts } from "./alertObserver.ts";
import type { BenchScale, LoadBound } from "./benchOptions.ts";
import type { LoadPhase } from "./benchPlatform.ts";
import type { RowRecorder } from "./benchRows.ts";
import type { BenchSession } from "./benchSession.ts";
import { measureBulkInsert } from "./bulkInsertBaseline.ts";
import { weatherCacheTtlMs } from "./fleetWorkload.ts";
import { measureTrivialHono } from "./honoBaseline.ts";
import { measureIngest } from "./ingestThroughput.ts";
import type { KafkaInspection } from "./kafkaInspection.ts";
import { measureKafkaProducer } from "./kafkaProducerBaseline.ts";
import { type PlatformProcess, startPlatformProcess } from "./platformProcess.ts";
import { measureWorkerThroughput } from "./workerThroughput.ts";

/** A fresh session (its platform, database, groups) and what the run records into. */
export interface RunContext extends Omit<BenchSession, "close"> {
  readonly runNumber: number;
  readonly kafka: KafkaJS.Kafka;
  readonly inspection: KafkaInspection;
  readonly scale: BenchScale;
  readonly rows: RowRecorder;
  readonly log: (message: string) => void;
}

/**
 * Rejects after `ms` (the work itself is not cancelled; the bench cleans up at the end).
 *
 * @example
 * await withinTimeLimit(60_000, "the Kafka baseline", () => measureKafkaProducer(options));
 */
export const withinTimeLimit = <A>(ms: number, what: string, work: () => Promise<A>): Promise<A> => {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work(), limit]).finally(() => clearTimeout(timer));
};

const stopWorkers = async (context: RunContext, workers: ReadonlyArray<PlatformProcess>) => {
  // A worker finishes the batches in flight before it exits; on a slow store that takes a while.
  await Promise.all(workers.map((worker) => worker.stop(30_000)));
  context.stoppedWorkers.push(...workers);
};

/** Waits (at most `ms`) until every telemetry group is at lag zero; returns the lag left. */
const whenCaughtUp = async (context: RunContext, ms: number): Promise<number> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const lags = await context.inspection.lagOf(context.groups, context.platform.telemetryTopic);
    const left = [...lags.values()].reduce<number>((total, lag) => total + (lag ?? 0), 0);
    if (left === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

/** Starts `count` workers, drains a burst of readings with them, stops them, skips what is left. */
const workerThroughput = async (context: RunContext, row: "worker.one" | "worker.two", count: number) => {
  const { platform, inspection, scale } = context;
  let workers: Array<PlatformProcess> = [];
  await measureWithStoreSize(context, row, async () => {
    const starts = await Promise.allSettled(
      Array.from({ length: count }, () => startPlatformProcess(platform.settings, "worker")),
    );
    workers = starts.flatMap((start) => (start.status === "fulfilled" ? [start.value] : []));
    const failed = starts.find((start) => start.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    const fetchesBefore = await weatherFetches(context);
    const measured = await measureWorkerThroughput({
      inspection,
      topic: platform.telemetryTopic,
      groups: context.groups,
      groupPrefix: platform.settings.groupPrefix,
      timeLimitMs: scale.drainTimeLimitMs,
      feed: async () => (await ingest(context, row, 100, scale.workerBurst)).accepted,
    });
    const fetchesAfter = await weatherFetches(context);
    const fetched =
      fetchesBefore === undefined || fetchesAfter === undefined ? undefined : fetchesAfter - fetchesBefore;
    const fetches =
      fetched === undefined
        ? "the simulator's fetch count is unknown"
        : `${fetched} weather ${fetched === 1 ? "fetch" : "fetches"} (the rest from the workers' ${weatherCacheTtlMs / 1000} s cache)`;
    return { value: measured.perSecond, note: `${measured.note}; enrichment: ${fetches}` };
  });
  await stopWorkers(context, workers);
  await skipBacklog(context);
};

/** Weather requests the external-source simulator has answered so far (undefined: it did not say). */
const weatherFetches = async (context: RunContext): Promise<number | undefined> => {
  const byPath = await context.platform.externalSource.requestsByPath();
  return byPath === undefined ? undefined : (byPath["/weather"] ?? 0);
};

/** Ingest from the devices of `phase`. */
const ingest = (context: RunContext, phase: LoadPhase, batchSize: number, bound: LoadBound) => {
  const { platform, scale, inspection } = context;
  return measureIngest({
    url: platform.api.url,
    devices: platform.devices[phase],
    batchSize,
    bound,
    concurrency: scale.ingestConcurrency,
    inspection,
    telemetryTopic: platform.telemetryTopic,
  });
};

/**
 * @example
 * await runOnce({ ...session, runNumber: 1, kafka, inspection, scale, rows, log });
 */
export const runOnce = async (context: RunContext): Promise<void> => {
  const { platform, scale, rows, log } = context;
  const limit = scale.phaseTimeLimitMs;
  const prefix = `run ${context.runNumber}:`;

  log(`${prefix} raw baselines`);
  await rows.measure("raw.kafka", async () => {
    const topic = `${platform.settings.topicPrefix}.raw-producer`;
    await context.inspection.ensureTopic(topic, 4);
    const result = await withinTimeLimit(limit, "the Kafka baseline", () =>
      measureKafkaProducer({ kafka: context.kafka, topic, ...scale.kafka, timeLimitMs: limit / 2 }),
    );
    return result.perSecond;
  });
  const bulk = await rows.measure("raw.bulkInsert", async () => {
    const result = await withinTimeLimit(limit, "the bulk insert baseline", () =>
      measureBulkInsert({
        db: context.db,
        collection: "bench_raw_insert",
        ...scale.bulkInsert,
        timeLimitMs: limit / 2,
      }),
    );
    return result.perSecond;
  });
  await rows.measure(
    "raw.hono",
    async () => (await withinTimeLimit(limit, "the Hono baseline", () => measureTrivialHono(scale.hono))).perSecond,
  );

  log(`${prefix} ingest, batch 1 and batch 100 (no worker running)`);
  await measureWithStoreSize(context, "ingest.batch1", async () => {
    const result = await withinTimeLimit(limit, "ingest batch 1", () =>
      ingest(context, "ingest", 1, scale.ingestBatch1),
    );
    return { value: result.perSecond, note: result.note };
  });
  const batched = await measureWithStoreSize(context, "ingest.batch100", async () => {
    const result = await withinTimeLimit(limit, "ingest batch 100", () =>
      ingest(context, "ingest", 100, scale.ingestBatch100),
    );
    return { value: result.perSecond, note: result.note };
  });
  if (batched !== undefined && bulk !== undefined) rows.record("ingest.ratioToBulk", (100 * batched) / bulk);
  else rows.notAvailable("ingest.ratioToBulk", "needs both the ingest batch 100 and the raw insertMany rows");

  await skipBacklog(context);

  await latencyPhase(context);
  await skipBacklog(context);
  log(`${prefix} worker throughput, 1 worker`);
  await workerThroughput(context, "worker.one", 1);
  log(`${prefix} worker throughput, 2 workers`);
  await workerThroughput(context, "worker.two", 2);
};

/** "12,400 events in the store": the note that explains a slower row. */
const storeSize = async (context: RunContext): Promise<string> => {
  const events = await context.db
    .collection("events")
    .estimatedDocumentCount()
    .catch(() => undefined);
  return events === undefined ? "" : `${events.toLocaleString("en-US")} events in the store at the start`;
};

/** Measures a row with the store's size in front of its note. */
const measureWithStoreSize = async (
  context: RunContext,
  id: string,
  measure: () => Promise<{ value: number; note?: string }>,
) => {
  const size = await storeSize(context);
  return context.rows.measure(id, async () => {
    const { value, note } = await measure();
    return { value, note: [size, note].filter((part) => part !== undefined && part !== "").join("; ") };
  });
};

/**
 * A backlog (what ingest left, what a drain did not get through) is skipped: the groups'
 * offsets move to the topic's end, so every phase starts empty however slow workers are.
 * Only with no worker running.
 */
const skipBacklog = async (context: RunContext) => {
  const left = await context.inspection.lagOf(context.groups, context.platform.telemetryTopic);
  const most = Math.max(0, ...[...left.values()].map((lag) => lag ?? 0));
  if (most === 0) return;
  context.log(`run ${context.runNumber}: skipping a backlog of up to ${most} messages per group`);
  // A worker killed rather than stopped stays a member until its session times out (10 s).
  for (let attempt = 1; ; attempt++) {
    try {
      await context.inspection.skipToEnd(context.groups, context.platform.telemetryTopic);
      return;
    } catch (error) {
      if (attempt >= 8) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    }
  }
};

const latencyRows = ["latency.p50", "latency.p95", "latency.p99", "latency.kafkaP99"];

/** Ingest → AlertRaised with one worker, from an empty backlog. */
const latencyPhase = async (context: RunContext): Promise<void> => {
  const { platform, scale, rows } = context;
  const limit = scale.phaseTimeLimitMs;
  let workerProblem = "";
  const worker =
    context.latencyMissing === undefined
      ? await startPlatformProcess(platform.settings, "worker").catch((error: unknown) => {
          workerProblem = String(error).split("\n")[0] ?? "";
          return undefined;
        })
      : undefined;
  try {
    const backlogLeft = context.latencyMissing === undefined ? await whenCaughtUp(context, limit) : 0;
    const missing =
      context.latencyMissing ??
      (worker === undefined ? `no worker process could be started: ${workerProblem}` : undefined) ??
      (backlogLeft > 0 ? `the worker still had ${backlogLeft} messages of backlog after ${limit / 1000} s` : undefined);
    if (missing !== undefined) {
      for (const id of latencyRows) rows.notAvailable(id, missing);
      return;
    }
    context.log(`run ${context.runNumber}: ingest → AlertRaised latency at ${scale.latency.ratePerSecond} readings/s`);
    const eventsBefore = await storeSize(context);
    const observer = await observeRaisedAlerts(
      context.kafka,
      platform.alertsTopic,
      `${platform.settings.groupPrefix}.latency-${context.runNumber}`,
    );
    try {
      const [firstProbe] = platform.probes;
      if (firstProbe === undefined) throw new Error("no probe device");
      const measured = await withinTimeLimit(limit, "the latency phase", async () => {
        await warmUpProbe(platform.api.url, firstProbe, observer, 60_000);
        context.log(`run ${context.runNumber}: a probe alert was seen; background load and probes`);
        return measureAlertLatency({
          url: platform.api.url,
          background: platform.devices.latency,
          probes: platform.probes,
          observer,
          ...scale.latency,
        });
      });
      rows.record("latency.p50", measured.recordedMs.p50, {
        note: [eventsBefore, measured.note].filter((part) => part !== "").join("; "),
      });
      rows.record("latency.p95", measured.recordedMs.p95);
      rows.record("latency.p99", measured.recordedMs.p99);
      rows.record("latency.kafkaP99", measured.kafkaP99Ms);
    } catch (error) {
      const reason = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
      for (const id of latencyRows) rows.notAvailable(id, reason);
    } finally {
      await observer.stop();
    }
  } finally {
    if (worker !== undefined) await stopWorkers(context, [worker]);
  }
};
