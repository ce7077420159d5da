/**
 * The JSON a run ends with: its settings, its totals, and why it stopped, with a hint
 * when the outcome points at a likely cause (keys the API no longer knows).
 */
import type { LatencyHistogram, ProgressSnapshot } from "./loadStatistics.ts";
import type { ResolvedSettings, SimulationOptions } from "./simulationOptions.ts";
import { unreachableAfterFailures } from "./simulationOptions.ts";

export type StopReason = "duration" | "count" | "signal" | "unreachable";

/** The end of a run: its settings, what happened, and why it stopped. */
export interface SimulationSummary
  extends Omit<ProgressSnapshot, "recentRatePerSecond" | "inFlight" | "silentDevices" | "latencyMs"> {
  readonly outcome: "completed" | "interrupted" | "failed";
  readonly stoppedBy: StopReason;
  readonly error?: string;
  readonly hint?: string;
  readonly url: string;
  readonly tenantId: string;
  readonly devices: number;
  readonly seed: number;
  readonly payloadVersion: 1 | 2;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly targetRatePerSecond: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly provisioning: { readonly registered: number; readonly reused: number };
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
    readonly mean: number;
  };
  readonly spikes: number;
  readonly silencePeriods: number;
}

export interface RunRecord {
  readonly options: SimulationOptions;
  readonly settings: ResolvedSettings;
  readonly stoppedBy: StopReason;
  readonly final: ProgressSnapshot;
  readonly latency: LatencyHistogram;
  readonly devices: number;
  readonly provisioning: { readonly registered: number; readonly reused: number };
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  readonly spikes: number;
  readonly silencePeriods: number;
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

const outcomeOf = (stoppedBy: StopReason): SimulationSummary["outcome"] =>
  stoppedBy === "unreachable" ? "failed" : stoppedBy === "signal" ? "interrupted" : "completed";

/**
 * @example
 * const summary = summarizeRun({ options, settings, stoppedBy: "duration", final, latency, ... });
 * summary.outcome; // "completed"
 */
export const summarizeRun = (run: RunRecord): SimulationSummary => {
  const { options, settings, final } = run;
  const { recentRatePerSecond: _recent, inFlight: _inFlight, silentDevices: _silent, latencyMs, ...totals } = final;
  // Keys from a file that the API no longer knows (e.g. its database was reset).
  const keysRefused = (final.errorsByStatus["401"] ?? 0) > 0 && final.accepted === 0 && options.devices === undefined;
  return {
    outcome: outcomeOf(run.stoppedBy),
    stoppedBy: run.stoppedBy,
    ...(run.stoppedBy === "unreachable"
      ? { error: `the API at ${options.url} stopped answering (${unreachableAfterFailures} requests in a row)` }
      : {}),
    ...(keysRefused
      ? { hint: `every device key was refused (401): delete ${settings.keysFilePath} to register devices again` }
      : {}),
    url: options.url,
    tenantId: settings.tenantId,
    devices: run.devices,
    seed: settings.seed,
    payloadVersion: settings.payloadVersion,
    batchSize: options.batchSize,
    concurrency: settings.concurrency,
    targetRatePerSecond: options.ratePerSecond,
    startedAt: new Date(run.startedAtMs).toISOString(),
    finishedAt: new Date(run.finishedAtMs).toISOString(),
    provisioning: run.provisioning,
    ...totals,
    latencyMs: {
      p50: latencyMs.p50,
      p90: round1(run.latency.percentile(90)),
      p99: latencyMs.p99,
      max: round1(run.latency.max()),
      mean: round1(run.latency.mean()),
    },
    spikes: run.spikes,
    silencePeriods: run.silencePeriods,
  };
};
