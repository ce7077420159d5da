/**
 * Counting what a load run did: readings sent, accepted and rejected, failures by status,
 * and request latency in a log-bucketed histogram (1% precision, fixed memory however
 * long the run).
 */
import type { TelemetryOutcome } from "./apiClient.ts";

const smallestBucketMs = 0.01;
const bucketGrowth = 1.01;
const bucketCount = 2000; // up to about 40 minutes

/** Latency percentiles without keeping every sample. */
export interface LatencyHistogram {
  readonly record: (ms: number) => void;
  /** The latency under which `percent` % of the samples fall (0 when empty). */
  readonly percentile: (percent: number) => number;
  readonly count: () => number;
  readonly max: () => number;
  readonly mean: () => number;
}

/**
 * @example
 * const latency = createLatencyHistogram();
 * latency.record(12.5);
 * latency.percentile(99); // ≈ 12.5 (within 1%)
 */
export const createLatencyHistogram = (): LatencyHistogram => {
  const buckets = new Float64Array(bucketCount);
  let count = 0;
  let sum = 0;
  let max = 0;
  const bucketOf = (ms: number): number =>
    ms <= smallestBucketMs
      ? 0
      : Math.min(bucketCount - 1, Math.ceil(Math.log(ms / smallestBucketMs) / Math.log(bucketGrowth)));
  return {
    record: (ms) => {
      const bucket = bucketOf(ms);
      buckets[bucket] = (buckets[bucket] ?? 0) + 1;
      count++;
      sum += ms;
      max = Math.max(max, ms);
    },
    percentile: (percent) => {
      if (count === 0) return 0;
      const rank = Math.ceil((percent / 100) * count);
      let seen = 0;
      for (let bucket = 0; bucket < bucketCount; bucket++) {
        seen += buckets[bucket] ?? 0;
        // A bucket's upper bound, but never above the largest sample seen.
        if (seen >= rank) return Math.min(max, smallestBucketMs * bucketGrowth ** bucket);
      }
      return max;
    },
    count: () => count,
    max: () => max,
    mean: () => (count === 0 ? 0 : sum / count),
  };
};

/** How a run stands at one moment; what `onProgress` receives. */
export interface ProgressSnapshot {
  readonly elapsedSeconds: number;
  readonly requests: number;
  /** Readings in requests that completed, whatever their outcome. */
  readonly readingsSent: number;
  readonly accepted: number;
  readonly rejected: number;
  /** Readings in requests that failed without a verdict on them (5xx, 429, 401, timeouts…). */
  readonly failedReadings: number;
  /** Requests that did not get a 202, by HTTP status or "timeout" / "network". */
  readonly errorsByStatus: Readonly<Record<string, number>>;
  /** Readings sent per second since the start. */
  readonly ratePerSecond: number;
  /** Readings accepted per second since the start. */
  readonly acceptedPerSecond: number;
  /** Readings sent per second since the previous snapshot. */
  readonly recentRatePerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  readonly inFlight: number;
  readonly silentDevices: number;
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

/**
 * @example
 * const statistics = createLoadStatistics();
 * statistics.record(outcome, batch.length);
 * const snapshot = statistics.snapshot({ elapsedMs: 5000, inFlight: 3, silentDevices: 1 });
 */
export const createLoadStatistics = () => {
  const latency = createLatencyHistogram();
  const errorsByStatus: Record<string, number> = {};
  let requests = 0;
  let readingsSent = 0;
  let accepted = 0;
  let rejected = 0;
  let failedReadings = 0;
  let consecutiveUnreachable = 0;
  let previous = { elapsedMs: 0, readingsSent: 0 };

  return {
    latency,
    record: (outcome: TelemetryOutcome, readingCount: number): void => {
      requests++;
      readingsSent += readingCount;
      accepted += outcome.accepted;
      rejected += outcome.rejected;
      failedReadings += readingCount - outcome.accepted - outcome.rejected;
      latency.record(outcome.latencyMs);
      if (outcome.status !== 202) errorsByStatus[outcome.status] = (errorsByStatus[outcome.status] ?? 0) + 1;
      consecutiveUnreachable = outcome.status === "network" ? consecutiveUnreachable + 1 : 0;
    },
    /** Requests in a row that found nothing listening: the API is gone. */
    consecutiveUnreachable: (): number => consecutiveUnreachable,
    snapshot: (at: { elapsedMs: number; inFlight: number; silentDevices: number }): ProgressSnapshot => {
      const sinceStart = Math.max(at.elapsedMs, 1) / 1000;
      const sincePrevious = Math.max(at.elapsedMs - previous.elapsedMs, 1) / 1000;
      const recentRatePerSecond = (readingsSent - previous.readingsSent) / sincePrevious;
      previous = { elapsedMs: at.elapsedMs, readingsSent };
      return {
        elapsedSeconds: round1(at.elapsedMs / 1000),
        requests,
        readingsSent,
        accepted,
        rejected,
        failedReadings,
        errorsByStatus: { ...errorsByStatus },
        ratePerSecond: round1(readingsSent / sinceStart),
        acceptedPerSecond: round1(accepted / sinceStart),
        recentRatePerSecond: round1(recentRatePerSecond),
        latencyMs: { p50: round1(latency.percentile(50)), p99: round1(latency.percentile(99)) },
        inFlight: at.inFlight,
        silentDevices: at.silentDevices,
      };
    },
  };
};
