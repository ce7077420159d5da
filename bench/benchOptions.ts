/**
 * The bench's command line and the sizes of every phase. Each phase is bounded twice,
 * by a count and by a time limit, so a slow machine makes a run slower, never endless.
 */
import { parseArgs } from "node:util";

export const benchUsage = `usage: node bench/main.ts [options]   (npm run bench -- [options])

  --smoke             one tiny run (a few seconds of load): keeps the bench working in CI
  --runs N            runs per row, the table shows their median (default 3; --smoke: 1)
  --output PATH       where the Markdown report goes (default BENCHMARKS.md)
  --json PATH         also write the rows as JSON
  --cpu-profile DIR   afterwards, profile the api (ingest) and a worker (drain) with
                      node --cpu-prof into DIR and summarise the top self-time functions
  --backtest-readings N  stored readings the backtest replays (default 1,000,000; --smoke: 5,000)
  -h, --help          this text

MONGODB_URI and KAFKA_BOOTSTRAP_SERVERS: used when set; otherwise scripts/infra.sh starts
the local Kafka and MongoDB-wire server (and stops what it started at the end).`;

export interface BenchOptions {
  readonly smoke: boolean;
  readonly runs: number;
  readonly outputPath: string;
  readonly jsonPath: string | undefined;
  readonly cpuProfileDir: string | undefined;
  readonly backtestReadings: number | undefined;
}

/** A command line that cannot be run: main prints it with the usage and exits 2. */
export class BenchUsageError extends Error {
  override readonly name = "BenchUsageError";
}

const wholeNumber = (flag: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1)
    throw new BenchUsageError(`--${flag} expects a whole number >= 1, not "${text}"`);
  return value;
};

/**
 * @example
 * parseBenchArguments(["--smoke", "--output", "/tmp/b.md"]); // { kind: "run", options: { smoke: true, runs: 1, ... } }
 * parseBenchArguments(["--help"]); // { kind: "help" }
 */
export const parseBenchArguments = (
  argv: ReadonlyArray<string>,
): { readonly kind: "help" } | { readonly kind: "run"; readonly options: BenchOptions } => {
  let parsed: ReturnType<typeof parseArgs>["values"];
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        smoke: { type: "boolean" },
        runs: { type: "string" },
        output: { type: "string" },
        json: { type: "string" },
        "cpu-profile": { type: "string" },
        "backtest-readings": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    throw new BenchUsageError(error instanceof Error ? error.message : String(error));
  }
  if (parsed.help === true) return { kind: "help" };
  const smoke = parsed.smoke === true;
  const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
  return {
    kind: "run",
    options: {
      smoke,
      runs: wholeNumber("runs", text(parsed.runs)) ?? (smoke ? 1 : 3),
      outputPath: text(parsed.output) ?? "BENCHMARKS.md",
      jsonPath: text(parsed.json),
      cpuProfileDir: text(parsed["cpu-profile"]),
      backtestReadings: wholeNumber("backtest-readings", text(parsed["backtest-readings"])),
    },
  };
};

/** A load phase: stops at whichever comes first. */
export interface LoadBound {
  readonly durationSeconds: number;
  readonly count: number;
}

/** How big each phase is. */
export interface BenchScale {
  readonly kafka: { readonly messages: number; readonly batch: number; readonly messageBytes: number };
  readonly bulkInsert: { readonly documents: number; readonly batch: number };
  readonly hono: { readonly durationMs: number; readonly maxRequests: number; readonly concurrency: number };
  /** Simulated devices sending the ingest load. */
  readonly devices: number;
  readonly ingestBatch1: LoadBound;
  readonly ingestBatch100: LoadBound;
  /** Requests in flight while measuring ingest (the simulator's default is 16). */
  readonly ingestConcurrency: number;
  /** The burst of readings the worker rows drain (sent while the workers run). */
  readonly workerBurst: LoadBound;
  /** A drain that has not finished by then is measured as far as it got. */
  readonly drainTimeLimitMs: number;
  readonly latency: {
    readonly ratePerSecond: number;
    readonly durationSeconds: number;
    readonly backgroundBatch: number;
    readonly probeDevices: number;
    /** Each probe device raises, then clears, an alert every 2 × this. */
    readonly probeIntervalMs: number;
  };
  readonly backtest: { readonly readings: number; readonly devices: number };
  /** A backtest replays as many devices as fit this long (all when they fit). */
  readonly backtestBudgetMs: number;
  readonly profileSeconds: number;
  /** Every single phase gives up after this long (a stuck phase becomes "n/a"). */
  readonly phaseTimeLimitMs: number;
}

/**
 * @example
 * benchScale({ smoke: true, backtestReadings: undefined }).latency.ratePerSecond; // 200
 */
export const benchScale = (options: Pick<BenchOptions, "smoke" | "backtestReadings">): BenchScale =>
  options.smoke
    ? {
        kafka: { messages: 5_000, batch: 1_000, messageBytes: 200 },
        bulkInsert: { documents: 3_000, batch: 1_000 },
        hono: { durationMs: 1_000, maxRequests: 5_000, concurrency: 16 },
        devices: 10,
        ingestBatch1: { durationSeconds: 1, count: 500 },
        ingestBatch100: { durationSeconds: 1, count: 3_000 },
        ingestConcurrency: 16,
        workerBurst: { durationSeconds: 2, count: 300 },
        // Workers enrich and evaluate every reading (fleetWorkload.ts) and commit per batch:
        // a shorter limit ends the drain before the slowest group's first commit.
        drainTimeLimitMs: 30_000,
        latency: { ratePerSecond: 200, durationSeconds: 2, backgroundBatch: 10, probeDevices: 2, probeIntervalMs: 250 },
        backtest: { readings: options.backtestReadings ?? 5_000, devices: 5 },
        backtestBudgetMs: 10_000,
        profileSeconds: 2,
        phaseTimeLimitMs: 60_000,
      }
    : {
        kafka: { messages: 200_000, batch: 1_000, messageBytes: 200 },
        bulkInsert: { documents: 50_000, batch: 1_000 },
        hono: { durationMs: 5_000, maxRequests: 200_000, concurrency: 16 },
        devices: 100,
        ingestBatch1: { durationSeconds: 8, count: 50_000 },
        ingestBatch100: { durationSeconds: 10, count: 40_000 },
        ingestConcurrency: 16,
        workerBurst: { durationSeconds: 10, count: 10_000 },
        drainTimeLimitMs: 45_000,
        latency: {
          ratePerSecond: 1_000,
          durationSeconds: 20,
          backgroundBatch: 10,
          probeDevices: 5,
          probeIntervalMs: 250,
        },
        backtest: { readings: options.backtestReadings ?? 1_000_000, devices: 20 },
        backtestBudgetMs: 45_000,
        profileSeconds: 15,
        phaseTimeLimitMs: 180_000,
      };
