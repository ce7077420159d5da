/**
 * What a simulation run can be told, its defaults, and the checks that turn a bad
 * option into a clear error before anything is sent.
 */
import type { PayloadVersion } from "./batching.ts";
import type { ProgressSnapshot } from "./loadStatistics.ts";
import type { Clock } from "./pacing.ts";
import type { DeviceCredentials } from "./provisioning.ts";

export interface SimulationOptions {
  /** The API's base URL; the only place the simulator sends anything. */
  readonly url: string;
  readonly deviceCount: number;
  /** Target readings per second, all devices together. */
  readonly ratePerSecond: number;
  /** Stop after this long… */
  readonly durationSeconds?: number | undefined;
  /** …or after this many readings, whichever comes first. */
  readonly count?: number | undefined;
  /** Readings per request (the contract allows up to 1,000). */
  readonly batchSize: number;
  /** Requests in flight at most (default 16). */
  readonly concurrency?: number | undefined;
  readonly tenantId?: string | undefined;
  readonly adminToken?: string | undefined;
  readonly tenantKey?: string | undefined;
  readonly keysFilePath?: string | undefined;
  /** Send as these devices and skip provisioning (e.g. a benchmark that provisioned already). */
  readonly devices?: ReadonlyArray<DeviceCredentials> | undefined;
  /** Fixes every device's values, spikes and silences; random (and reported) when absent. */
  readonly seed?: number | undefined;
  /** Chance per device per second of going quiet (default 0.02). */
  readonly silenceProbability?: number | undefined;
  /** How long a quiet period lasts, in seconds (default 5 to 30). */
  readonly silenceSeconds?: { readonly min: number; readonly max: number } | undefined;
  /** Chance per reading of a value far out of range (default 0.01). */
  readonly spikeProbability?: number | undefined;
  readonly payloadVersion?: PayloadVersion | undefined;
  readonly requestTimeoutMs?: number | undefined;
  /** Stops the run early; the summary then says "interrupted". */
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((snapshot: ProgressSnapshot) => void) | undefined;
  readonly progressIntervalMs?: number | undefined;
  /** Provisioning notes (tenant created, devices registered). */
  readonly onLog?: ((message: string) => void) | undefined;
  /** Pacing time (simulated in tests). */
  readonly clock?: Clock | undefined;
  /** Epoch ms for reading timestamps (Date.now by default). */
  readonly wallClock?: (() => number) | undefined;
  readonly fetch?: typeof fetch | undefined;
}

export const simulationDefaults = {
  concurrency: 16,
  tenantId: "sim",
  keysFilePath: ".anansky/sim-keys.json",
  silenceProbability: 0.02,
  silenceSeconds: { min: 5, max: 30 },
  spikeProbability: 0.01,
  payloadVersion: 2,
  requestTimeoutMs: 10_000,
  progressIntervalMs: 1000,
  maxBatchSize: 1000,
} as const;

/** Consecutive requests that find nothing listening before the run gives up. */
export const unreachableAfterFailures = 20;

const isPositiveInteger = (value: number): boolean => Number.isInteger(value) && value > 0;
const isProbability = (value: number): boolean => value >= 0 && value <= 1;

/**
 * Every problem with the options, as readable sentences (empty when fine).
 *
 * @example
 * optionProblems({ url: "http://127.0.0.1:8080", deviceCount: 0, ratePerSecond: 10, batchSize: 10, durationSeconds: 5 });
 * // ["devices must be a whole number > 0"]
 */
export const optionProblems = (options: SimulationOptions): Array<string> => {
  const problems: Array<string> = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  check(/^https?:\/\/[^/]+/.test(options.url), `url must be http(s)://host[:port], not "${options.url}"`);
  check(isPositiveInteger(options.deviceCount), "devices must be a whole number > 0");
  check(options.ratePerSecond > 0 && Number.isFinite(options.ratePerSecond), "rate must be a number > 0");
  check(
    isPositiveInteger(options.batchSize) && options.batchSize <= simulationDefaults.maxBatchSize,
    `batch must be a whole number from 1 to ${simulationDefaults.maxBatchSize}`,
  );
  check(options.concurrency === undefined || isPositiveInteger(options.concurrency), "concurrency must be > 0");
  check(
    options.durationSeconds !== undefined || options.count !== undefined,
    "a duration or a count is needed, or the run would never end",
  );
  check(options.durationSeconds === undefined || options.durationSeconds > 0, "duration must be > 0 seconds");
  check(options.count === undefined || isPositiveInteger(options.count), "count must be a whole number > 0");
  check(options.seed === undefined || Number.isSafeInteger(options.seed), "seed must be a whole number");
  check(isProbability(options.silenceProbability ?? 0), "silence must be a probability from 0 to 1");
  check(isProbability(options.spikeProbability ?? 0), "spike must be a probability from 0 to 1");
  const silence = options.silenceSeconds;
  check(
    silence === undefined || (silence.min > 0 && silence.max >= silence.min),
    "silence seconds need 0 < min <= max",
  );
  check(options.payloadVersion === undefined || [1, 2].includes(options.payloadVersion), "payload version is 1 or 2");
  return problems;
};

/** The options with every default filled in. */
export interface ResolvedSettings {
  readonly concurrency: number;
  readonly tenantId: string;
  readonly keysFilePath: string;
  readonly seed: number;
  readonly silenceProbability: number;
  readonly silenceSeconds: { readonly min: number; readonly max: number };
  readonly spikeProbability: number;
  readonly payloadVersion: PayloadVersion;
  readonly requestTimeoutMs: number;
  readonly progressIntervalMs: number;
}

/**
 * @example
 * resolveSettings({ url, deviceCount: 5, ratePerSecond: 50, batchSize: 10, count: 100 }).concurrency; // 16
 */
export const resolveSettings = (options: SimulationOptions): ResolvedSettings => ({
  concurrency: options.concurrency ?? simulationDefaults.concurrency,
  tenantId: options.tenantId ?? simulationDefaults.tenantId,
  keysFilePath: options.keysFilePath ?? simulationDefaults.keysFilePath,
  // A random seed is still reported in the summary, so any run can be replayed.
  seed: options.seed ?? Math.floor(Math.random() * 2 ** 31),
  silenceProbability: options.silenceProbability ?? simulationDefaults.silenceProbability,
  silenceSeconds: options.silenceSeconds ?? simulationDefaults.silenceSeconds,
  spikeProbability: options.spikeProbability ?? simulationDefaults.spikeProbability,
  payloadVersion: options.payloadVersion ?? simulationDefaults.payloadVersion,
  requestTimeoutMs: options.requestTimeoutMs ?? simulationDefaults.requestTimeoutMs,
  progressIntervalMs: options.progressIntervalMs ?? simulationDefaults.progressIntervalMs,
});
