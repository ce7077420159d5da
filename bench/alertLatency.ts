/**
 * Ingest-to-alert latency at a fixed rate: simulated devices send the background load
 * while a few probe devices (tagged for the probe rule) alternately send a reading above
 * the threshold, which raises an alert, and one below, which resolves it. A probe's
 * latency runs from the start of its HTTP request to the AlertRaised event's recordedAt
 * (when the worker's append stamped it), and separately to its arrival on Kafka.
 */
import type { DeviceCredentials } from "../services/simulator/provisioning.ts";
import { runSimulation } from "../services/simulator/runSimulation.ts";
import type { AlertObserver } from "./alertObserver.ts";
import { percentile, preciseNowMs } from "./percentiles.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Posts readings as a device; resolves with the stored event ids (202) or throws.
 *
 * @example
 * const [eventId] = await postReadings(url, deviceKey, [{ values: { probe: 1 } }]);
 */
export const postReadings = async (
  url: string,
  deviceKey: string,
  readings: ReadonlyArray<{ readonly values: Readonly<Record<string, number>> }>,
): Promise<Array<string>> => {
  const response = await fetch(`${url}/v1/telemetry`, {
    method: "POST",
    headers: { authorization: `Bearer ${deviceKey}`, "content-type": "application/json" },
    body: JSON.stringify(readings),
  });
  const text = await response.text();
  if (response.status !== 202) throw new Error(`POST /v1/telemetry answered ${response.status}: ${text.slice(0, 200)}`);
  return (JSON.parse(text) as { eventIds: Array<string> }).eventIds;
};

interface ProbeSample {
  readonly eventId: string;
  readonly sentAtMs: number;
}

export interface LatencyMeasurement {
  readonly recordedMs: { readonly p50: number; readonly p95: number; readonly p99: number };
  readonly kafkaP99Ms: number;
  readonly note: string;
}

/**
 * Raises and clears one alert on `probe`: proves the rule is live and the observer is
 * reading before anything is measured.
 *
 * @example
 * await warmUpProbe(url, probe, observer, 60_000);
 */
export const warmUpProbe = async (
  url: string,
  probe: DeviceCredentials,
  observer: AlertObserver,
  timeoutMs: number,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  // The rule may reach the worker's rule cache a little after it was created: retry.
  while (Date.now() < deadline) {
    const [eventId] = await postReadings(url, probe.key, [{ values: { probe: 1 } }]);
    const alert = await observer.waitFor(eventId ?? "", Math.min(5_000, deadline - Date.now()));
    await postReadings(url, probe.key, [{ values: { probe: 0 } }]);
    if (alert !== undefined) return;
    await sleep(500);
  }
  throw new Error(`no AlertRaised for a probe reading within ${timeoutMs} ms (is a worker with alert-rules running?)`);
};

/**
 * @example
 * const latency = await measureAlertLatency({
 *   url: api.url, background: devices, probes, observer, ratePerSecond: 1_000, durationSeconds: 30,
 *   backgroundBatch: 10, probeIntervalMs: 250,
 * });
 */
export const measureAlertLatency = async (options: {
  readonly url: string;
  readonly background: ReadonlyArray<DeviceCredentials>;
  readonly probes: ReadonlyArray<DeviceCredentials>;
  readonly observer: AlertObserver;
  readonly ratePerSecond: number;
  readonly durationSeconds: number;
  readonly backgroundBatch: number;
  readonly probeIntervalMs: number;
}): Promise<LatencyMeasurement> => {
  const endAt = Date.now() + options.durationSeconds * 1000;
  const samples: Array<ProbeSample> = [];
  const probeFailures: Array<string> = [];
  const probeLoop = async (probe: DeviceCredentials, index: number) => {
    await sleep((index * 2 * options.probeIntervalMs) / options.probes.length);
    while (Date.now() < endAt) {
      const sentAtMs = preciseNowMs();
      try {
        const [eventId] = await postReadings(options.url, probe.key, [{ values: { probe: 1 } }]);
        if (eventId !== undefined) samples.push({ eventId, sentAtMs });
        await sleep(options.probeIntervalMs);
        await postReadings(options.url, probe.key, [{ values: { probe: 0 } }]);
      } catch (error) {
        probeFailures.push(error instanceof Error ? error.message : String(error));
      }
      await sleep(options.probeIntervalMs);
    }
  };
  const probeRate = (options.probes.length * 1000) / (2 * options.probeIntervalMs);
  const [background] = await Promise.all([
    runSimulation({
      url: options.url,
      devices: options.background,
      deviceCount: options.background.length,
      ratePerSecond: Math.max(1, options.ratePerSecond - probeRate),
      durationSeconds: options.durationSeconds,
      batchSize: options.backgroundBatch,
      spikeProbability: 0,
      silenceProbability: 0,
      seed: 1_000,
    }),
    ...options.probes.map(probeLoop),
  ]);
  // Stragglers: the last probes' alerts may still be on their way.
  const lastDeadline = Date.now() + 15_000;
  for (const sample of samples) {
    if (Date.now() > lastDeadline) break;
    await options.observer.waitFor(sample.eventId, Math.max(0, lastDeadline - Date.now()));
  }
  // An alert not seen counts as "at least until we stopped waiting": the percentiles
  // become lower bounds instead of silently leaving the slowest probes out.
  const gaveUpAt = preciseNowMs();
  const recorded: Array<number> = [];
  const arrived: Array<number> = [];
  let unseen = 0;
  for (const sample of samples) {
    const alert = options.observer.raisedBy(sample.eventId);
    if (alert === undefined) unseen++;
    recorded.push((alert?.recordedAtMs ?? gaveUpAt) - sample.sentAtMs);
    arrived.push((alert?.arrivedAtMs ?? gaveUpAt) - sample.sentAtMs);
  }
  if (unseen === samples.length) throw new Error(`none of ${samples.length} probe readings raised an alert in time`);
  const round1 = (value: number | undefined) => Math.round((value ?? Number.NaN) * 10) / 10;
  const total = background.accepted + samples.length * 2;
  const note = [
    `${samples.length - unseen} of ${samples.length} probe alerts seen`,
    ...(unseen > 0 ? [`${unseen} not seen 15 s after the load stopped: percentiles are lower bounds`] : []),
    `${Math.round(total / options.durationSeconds)} readings/s accepted of ${options.ratePerSecond} offered (batch ${options.backgroundBatch} + single-reading probes)`,
    `Kafka arrival p50 ${round1(percentile(arrived, 50))} ms`,
    ...(probeFailures.length > 0 ? [`${probeFailures.length} probe requests failed: ${probeFailures[0]}`] : []),
    ...(Object.keys(background.errorsByStatus).length > 0
      ? [`background errors ${JSON.stringify(background.errorsByStatus)}`]
      : []),
  ].join("; ");
  return {
    recordedMs: {
      p50: round1(percentile(recorded, 50)),
      p95: round1(percentile(recorded, 95)),
      p99: round1(percentile(recorded, 99)),
    },
    kafkaP99Ms: round1(percentile(arrived, 99)),
    note,
  };
};
