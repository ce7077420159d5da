/**
 * Where the time goes: a separate api process runs under `node --cpu-prof` while the
 * simulator drives ingest (half batch 100, half batch 1), then a worker runs under it
 * while it drains the backlog that left. Both write their profile when they stop
 * gracefully; the summaries name the top self-time functions and areas.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { BenchScale } from "./benchOptions.ts";
import type { BenchPlatform } from "./benchPlatform.ts";
import { type ProfileSummary, type ProfileWindow, summarizeCpuProfile } from "./cpuProfileSummary.ts";
import { measureIngest } from "./ingestThroughput.ts";
import type { KafkaInspection } from "./kafkaInspection.ts";
import { preciseNowMs } from "./percentiles.ts";
import { type PlatformProcess, startPlatformProcess } from "./platformProcess.ts";

export interface ProfileResult {
  readonly role: "api" | "worker";
  readonly file: string;
  /** What the process was doing while profiled. */
  readonly load: string;
  readonly summary: ProfileSummary | undefined;
  readonly problem: string | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const profiled = (directory: string, name: string) => [
  "--cpu-prof",
  `--cpu-prof-dir=${directory}`,
  `--cpu-prof-name=${name}`,
];

const summaryOf = (
  role: "api" | "worker",
  file: string,
  load: string,
  exitCode: number | null,
  window: ProfileWindow,
): ProfileResult => {
  if (!existsSync(file)) {
    return { role, file, load, summary: undefined, problem: `no profile written (exit code ${exitCode})` };
  }
  return { role, file, load, summary: summarizeCpuProfile(file, 15, window), problem: undefined };
};

/**
 * @example
 * const profiles = await profileApiAndWorker({ platform, inspection, scale, groups, directory: "/tmp/anansky-profiles" });
 */
export const profileApiAndWorker = async (options: {
  readonly platform: BenchPlatform;
  readonly inspection: KafkaInspection;
  readonly scale: BenchScale;
  readonly groups: ReadonlyArray<string>;
  readonly directory: string;
  readonly log: (message: string) => void;
}): Promise<Array<ProfileResult>> => {
  const directory = resolve(options.directory);
  await mkdir(directory, { recursive: true });
  const { platform, scale } = options;
  const stamp = Date.now().toString(36);
  const results: Array<ProfileResult> = [];

  const apiFile = join(directory, `api-${stamp}.cpuprofile`);
  options.log(`profile: api under ingest for ${scale.profileSeconds} s`);
  const apiSpawnedAt = preciseNowMs();
  const api = await startPlatformProcess(platform.settings, "api", {
    nodeArgs: profiled(directory, `api-${stamp}.cpuprofile`),
  });
  let accepted = 0;
  let apiExit: number | null = null;
  const apiLoadFrom = preciseNowMs() - apiSpawnedAt;
  let apiLoadTo = Number.POSITIVE_INFINITY;
  try {
    const half = Math.max(1, scale.profileSeconds / 2);
    for (const batchSize of [100, 1]) {
      const measured = await measureIngest({
        url: api.url,
        devices: platform.devices.ingest,
        batchSize,
        bound: { durationSeconds: half, count: 1_000_000 },
        concurrency: scale.ingestConcurrency,
        inspection: options.inspection,
        telemetryTopic: platform.telemetryTopic,
      });
      accepted += measured.accepted;
    }
    apiLoadTo = preciseNowMs() - apiSpawnedAt;
  } finally {
    apiExit = await api.stop(60_000);
  }
  results.push(
    summaryOf(
      "api",
      apiFile,
      `under ingest: ${accepted.toLocaleString("en-US")} readings, batch 100 then batch 1; startup and shutdown left out`,
      apiExit,
      { fromMs: apiLoadFrom, toMs: apiLoadTo },
    ),
  );

  const workerFile = join(directory, `worker-${stamp}.cpuprofile`);
  options.log("profile: a worker draining that backlog");
  let worker: PlatformProcess | undefined;
  let workerExit: number | null = null;
  const workerSpawnedAt = preciseNowMs();
  let workerLoad: ProfileWindow = { fromMs: 0, toMs: Number.POSITIVE_INFINITY };
  try {
    worker = await startPlatformProcess(platform.settings, "worker", {
      nodeArgs: profiled(directory, `worker-${stamp}.cpuprofile`),
    });
    workerLoad = { fromMs: preciseNowMs() - workerSpawnedAt, toMs: Number.POSITIVE_INFINITY };
    const deadline = Date.now() + Math.max(10_000, scale.profileSeconds * 2_000);
    while (Date.now() < deadline) {
      const lags = await options.inspection.lagOf(options.groups, platform.telemetryTopic);
      if ([...lags.values()].every((lag) => lag === 0)) break;
      await sleep(250);
    }
    workerLoad = { ...workerLoad, toMs: preciseNowMs() - workerSpawnedAt };
  } finally {
    // A worker finishes the batches in flight before it exits (and writes its profile): give it time.
    workerExit = (await worker?.stop(60_000)) ?? null;
  }
  results.push(
    summaryOf(
      "worker",
      workerFile,
      "draining the backlog the profiled ingest left; startup and shutdown left out",
      workerExit,
      workerLoad,
    ),
  );
  return results;
};
