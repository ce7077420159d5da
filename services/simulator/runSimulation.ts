/**
 * A whole simulation run: provision (or reuse) devices, then send their readings in
 * per-device batches, paced by a token bucket to the target rate, with a bounded number
 * of requests in flight, until the duration or count is reached or the signal aborts.
 */
import { createAnanskyClient } from "./apiClient.ts";
import { batchTimestamps, createDeviceRotation, nextBatchSize, telemetryBody } from "./batching.ts";
import { createConcurrencyLimit } from "./concurrencyLimit.ts";
import { createDeviceModel, type DeviceModel } from "./deviceModel.ts";
import { createSilenceSchedule, type SilenceSchedule } from "./deviceSilence.ts";
import { createLoadStatistics } from "./loadStatistics.ts";
import { createTokenBucket, defaultBurstCapacity, systemClock } from "./pacing.ts";
import { type DeviceCredentials, provisionDevices } from "./provisioning.ts";
import {
  optionProblems,
  resolveSettings,
  type SimulationOptions,
  unreachableAfterFailures,
} from "./simulationOptions.ts";
import { type SimulationSummary, type StopReason, summarizeRun } from "./simulationSummary.ts";

export type { SimulationOptions } from "./simulationOptions.ts";
export type { SimulationSummary } from "./simulationSummary.ts";

interface SimulatedDevice {
  readonly credentials: DeviceCredentials;
  readonly model: DeviceModel;
  readonly silence: SilenceSchedule;
  lastTsMs: number;
}

/** Options are checked first; this is thrown with every problem listed. */
export class InvalidSimulationOptions extends Error {
  override readonly name = "InvalidSimulationOptions";
}

/**
 * Runs a simulation. Rejects when it cannot start (bad options, API unreachable,
 * provisioning refused); once sending, it resolves with a summary whatever happens.
 *
 * @example
 * const summary = await runSimulation({
 *   url: "http://127.0.0.1:8080", adminToken: "dev-admin", deviceCount: 50, ratePerSecond: 1000,
 *   durationSeconds: 60, batchSize: 100, seed: 42, onProgress: (p) => console.log(p.ratePerSecond),
 * });
 * console.log(summary.accepted, summary.latencyMs.p99);
 */
export const runSimulation = async (options: SimulationOptions): Promise<SimulationSummary> => {
  const problems = optionProblems(options);
  if (problems.length > 0) throw new InvalidSimulationOptions(problems.join("; "));
  const settings = resolveSettings(options);
  const clock = options.clock ?? systemClock;
  const wallClock = options.wallClock ?? Date.now;
  const client = createAnanskyClient({
    baseUrl: options.url,
    requestTimeoutMs: settings.requestTimeoutMs,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });

  const provisioned =
    options.devices !== undefined
      ? { devices: options.devices.slice(0, options.deviceCount), registered: 0, reused: options.deviceCount }
      : await provisionDevices({
          client,
          url: options.url,
          tenantId: settings.tenantId,
          deviceCount: options.deviceCount,
          keysFilePath: settings.keysFilePath,
          adminToken: options.adminToken,
          tenantKey: options.tenantKey,
          seed: settings.seed,
          ...(options.onLog === undefined ? {} : { onLog: options.onLog }),
        });
  // Provisioning from a complete keys file calls nothing: fail fast if nothing listens.
  if (provisioned.registered === 0) await client.checkReachable();

  // Each device's share of the rate sets the nominal gap between its readings.
  const readingIntervalMs = (provisioned.devices.length * 1000) / options.ratePerSecond;
  const devices: Array<SimulatedDevice> = provisioned.devices.map((credentials, deviceIndex) => ({
    credentials,
    model: createDeviceModel({
      seed: settings.seed,
      deviceIndex,
      spikeProbability: settings.spikeProbability,
      readingIntervalMs,
    }),
    silence: createSilenceSchedule({
      seed: settings.seed,
      deviceIndex,
      probabilityPerSecond: settings.silenceProbability,
      minSeconds: settings.silenceSeconds.min,
      maxSeconds: settings.silenceSeconds.max,
    }),
    lastTsMs: 0,
  }));
  const rotation = createDeviceRotation(devices);
  const bucket = createTokenBucket({
    ratePerSecond: options.ratePerSecond,
    capacity: defaultBurstCapacity(options.ratePerSecond, options.batchSize),
    initialTokens: options.batchSize,
    clock,
  });
  const limit = createConcurrencyLimit(settings.concurrency);
  const statistics = createLoadStatistics();
  const startedAtWall = wallClock();
  const startedAt = clock.now();
  const deadline = options.durationSeconds === undefined ? Infinity : startedAt + options.durationSeconds * 1000;
  const elapsedMs = () => clock.now() - startedAt;
  const snapshot = () =>
    statistics.snapshot({
      elapsedMs: elapsedMs(),
      inFlight: limit.inFlight(),
      silentDevices: devices.filter((device) => device.silence.isSilentAt(elapsedMs())).length,
    });
  const progressTimer =
    options.onProgress === undefined
      ? undefined
      : setInterval(() => options.onProgress?.(snapshot()), settings.progressIntervalMs);
  progressTimer?.unref();

  let remaining = options.count ?? Infinity;
  let spikes = 0;
  const stopReason = (): StopReason | undefined => {
    if (options.signal?.aborted) return "signal";
    if (statistics.consecutiveUnreachable() >= unreachableAfterFailures) return "unreachable";
    if (remaining <= 0) return "count";
    if (clock.now() >= deadline) return "duration";
    return undefined;
  };

  let stoppedBy = stopReason();
  while (stoppedBy === undefined) {
    await limit.acquire();
    const device = rotation.next(elapsedMs());
    if (device === undefined) {
      // Everyone is quiet: wait for the first to come back (or the end).
      limit.release();
      const wakeIn = rotation.earliestWake(elapsedMs()) - elapsedMs();
      await clock.sleep(Math.max(1, Math.min(wakeIn, deadline - clock.now())), options.signal);
      stoppedBy = stopReason();
      continue;
    }
    const size = nextBatchSize(options.batchSize, remaining);
    await bucket.take(size, options.signal);
    stoppedBy = stopReason();
    if (stoppedBy !== undefined) {
      limit.release();
      break;
    }
    remaining -= size;
    const readings = Array.from({ length: size }, () => device.model.nextReading());
    spikes += readings.filter((reading) => reading.spikedMetric !== undefined).length;
    const timestamps = batchTimestamps({
      count: size,
      sentAtMs: wallClock(),
      intervalMs: readingIntervalMs,
      previousTsMs: device.lastTsMs,
    });
    device.lastTsMs = timestamps.at(-1) ?? device.lastTsMs;
    const body = telemetryBody(device.credentials.deviceId, readings, timestamps, settings.payloadVersion);
    void client
      .sendTelemetry(device.credentials.key, body, settings.payloadVersion)
      .then((outcome) => statistics.record(outcome, size))
      .finally(limit.release);
    stoppedBy = stopReason();
  }
  await limit.whenIdle();
  if (progressTimer !== undefined) clearInterval(progressTimer);
  // Count and duration may both be met at the end; an unreachable API outranks either.
  if (stopReason() === "unreachable") stoppedBy = "unreachable";

  const final = snapshot();
  options.onProgress?.(final);
  return summarizeRun({
    options,
    settings,
    stoppedBy,
    final,
    latency: statistics.latency,
    devices: devices.length,
    provisioning: { registered: provisioned.registered, reused: provisioned.reused },
    startedAtMs: startedAtWall,
    finishedAtMs: wallClock(),
    spikes,
    silencePeriods: devices.reduce((sum, device) => sum + device.silence.periodsStarted(), 0),
  });
};
