/**
 * The whole bench: infrastructure, then `runs` runs of every row (each on a fresh
 * platform), optional CPU profiles, the backtests, peak RSS, and clean-up of everything
 * it started or created (also when a phase fails; Ctrl-C is handled by main.ts through
 * the same clean-up).
 */
import { MongoClient } from "mongodb";
import { runBacktests } from "./backtestPhase.ts";
import { ensureInfrastructure, stopStartedInfrastructure } from "./benchInfrastructure.ts";
import { type BenchOptions, benchScale } from "./benchOptions.ts";
import type { BenchReport } from "./benchReport.ts";
import { createRowRecorder, type RowRecorder, rowDefinitions } from "./benchRows.ts";
import { runOnce } from "./benchRun.ts";
import { type BenchSession, dropBenchDatabases, openBenchSession } from "./benchSession.ts";
import { peakRssBytes, stopAllChildren } from "./childProcesses.ts";
import { type ProfileResult, profileApiAndWorker } from "./cpuProfilePhase.ts";
import { benchKafka, connectKafkaInspection } from "./kafkaInspection.ts";
import { describeMachine, finishMachineDescription } from "./machineDescription.ts";
import type { PlatformProcess } from "./platformProcess.ts";

/** The rows each run measures (the others are measured once, at the end). */
const perRunRows = rowDefinitions.map((row) => row.id).filter((id) => !id.startsWith("rss.") && id !== "backtest");

const megabytes = (bytes: number | undefined) => (bytes === undefined ? undefined : bytes / 1_000_000);

const recordPeak = (rows: RowRecorder, id: string, bytes: number | undefined, missing: string) => {
  const value = megabytes(bytes);
  if (value === undefined) rows.notAvailable(id, missing);
  else rows.record(id, value);
};

/** Registered clean-up steps, run once, last registered first. */
const createCleanup = () => {
  const steps: Array<() => Promise<void> | void> = [];
  let ran = false;
  return {
    add: (step: () => Promise<void> | void) => steps.push(step),
    run: async () => {
      if (ran) return;
      ran = true;
      for (const step of steps.reverse()) {
        await Promise.resolve()
          .then(step)
          .catch((error: unknown) => process.stderr.write(`bench: clean-up step failed: ${String(error)}\n`));
      }
    },
  };
};

/** Runs the clean-up of the bench in progress (for main.ts's Ctrl-C handler). */
export const benchCleanup = createCleanup();

/**
 * @example
 * const report = await runBench(options, (line) => process.stderr.write(`${line}\n`));
 * process.stdout.write(consoleTable(report.rows));
 */
export const runBench = async (options: BenchOptions, log: (message: string) => void): Promise<BenchReport> => {
  const startedAt = Date.now();
  const scale = benchScale(options);
  const rows = createRowRecorder();
  const cleanup = benchCleanup;
  try {
    const infrastructure = ensureInfrastructure(process.env);
    cleanup.add(() => stopStartedInfrastructure(infrastructure));
    const mongo = await new MongoClient(infrastructure.mongodbUri).connect();
    cleanup.add(() => mongo.close());
    const kafka = benchKafka(infrastructure.kafkaBootstrapServers);
    const inspection = await connectKafkaInspection(kafka);
    cleanup.add(() => inspection.close());
    const machine = await describeMachine(mongo.db("admin"), infrastructure);
    log(`bench: ${machine.cores} cores, load ${machine.loadAtStart.join(" ")}, ${machine.store}`);

    const apis: Array<PlatformProcess> = [];
    const workers: Array<PlatformProcess> = [];
    const databases: Array<string> = [];
    // Steps run last registered first: sessions close, every child stops, then the databases go.
    cleanup.add(() => dropBenchDatabases(mongo, databases, log));
    cleanup.add(() => stopAllChildren());
    /** Runs `work` on a fresh session, closed (and its processes' peaks kept) whatever happens. */
    const withSession = async (work: (session: BenchSession) => Promise<void>) => {
      const session = await openBenchSession({ infrastructure, mongo, inspection, scale, log });
      databases.push(session.platform.settings.databaseName);
      cleanup.add(() => session.close());
      try {
        await work(session);
      } finally {
        await session.close();
        apis.push(session.platform.api);
        workers.push(...session.stoppedWorkers);
      }
    };

    for (let runNumber = 1; runNumber <= options.runs; runNumber++) {
      await withSession((session) => runOnce({ ...session, runNumber, kafka, inspection, scale, rows, log })).catch(
        (error: unknown) => {
          const reason = `run ${runNumber} could not start its platform: ${String(error).split("\n")[0]}`;
          log(`bench: ${reason}`);
          for (const id of perRunRows) rows.notAvailable(id, reason);
        },
      );
    }

    let profiles: Array<ProfileResult> = [];
    if (options.cpuProfileDir !== undefined) {
      const directory = options.cpuProfileDir;
      await withSession(async (session) => {
        profiles = await profileApiAndWorker({ ...session, inspection, scale, directory, log });
      }).catch((error: unknown) => log(`bench: profiling failed: ${String(error)}`));
    }

    await withSession((session) => runBacktests({ ...session, scale, rows, runs: options.runs, log })).catch(
      (error: unknown) => {
        log(`bench: the backtest session failed: ${String(error)}`);
        rows.notAvailable("backtest", `the backtest session failed: ${String(error).split("\n")[0]}`);
      },
    );

    const peakOf = (processes: ReadonlyArray<PlatformProcess>) => {
      const peaks = processes.flatMap((started) => started.peakRssBytes() ?? []);
      return peaks.length > 0 ? Math.max(...peaks) : undefined;
    };
    recordPeak(rows, "rss.api", peakOf(apis), "no api process ran to the end");
    recordPeak(rows, "rss.worker", peakOf(workers), "no worker ran");
    const { kafka: kafkaPid, mongo: mongoPid } = infrastructure.localPids;
    recordPeak(
      rows,
      "rss.kafka",
      kafkaPid && peakRssBytes(kafkaPid),
      "external broker: its process is not visible here",
    );
    recordPeak(
      rows,
      "rss.store",
      mongoPid && peakRssBytes(mongoPid),
      "external store: its process is not visible here",
    );
    // maxRSS is in kilobytes (KiB).
    rows.record("rss.bench", (process.resourceUsage().maxRSS * 1024) / 1_000_000);

    return {
      machine: finishMachineDescription(machine),
      mode: options.smoke ? "smoke mode (tiny loads)" : "full mode",
      runs: options.runs,
      rows: rows.results(),
      profiles,
      durationSeconds: (Date.now() - startedAt) / 1000,
    };
  } finally {
    await cleanup.run();
  }
};
