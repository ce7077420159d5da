/**
 * Ingest throughput end to end: the device simulator sends as fast as the api answers
 * (a bounded number of requests in flight), and a reading counts once the api answered
 * 202 (durably appended) and it was published: the clock stops when the telemetry
 * topic holds every accepted reading.
 */
import type { DeviceCredentials } from "../services/simulator/provisioning.ts";
import { runSimulation } from "../services/simulator/runSimulation.ts";
import type { LoadBound } from "./benchOptions.ts";
import type { KafkaInspection } from "./kafkaInspection.ts";
import { preciseNowMs } from "./percentiles.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface IngestMeasurement {
  readonly perSecond: number;
  readonly accepted: number;
  readonly note: string;
}

/**
 * Waits until `topic` holds at least `expected` messages; returns when it did (wall ms),
 * or undefined at the deadline.
 *
 * @example
 * const publishedAt = await whenTopicHolds(inspection, "bench-x.telemetry", 52_000, 30_000);
 */
export const whenTopicHolds = async (
  inspection: KafkaInspection,
  topic: string,
  expected: number,
  timeoutMs: number,
): Promise<number | undefined> => {
  const deadline = preciseNowMs() + timeoutMs;
  for (;;) {
    if ((await inspection.messagesIn(topic)) >= expected) return preciseNowMs();
    if (preciseNowMs() > deadline) return undefined;
    await sleep(50);
  }
};

/**
 * @example
 * const { perSecond } = await measureIngest({
 *   url: api.url, devices, batchSize: 100, bound: { durationSeconds: 10, count: 40_000 },
 *   concurrency: 16, inspection, telemetryTopic: "bench-x.telemetry",
 * });
 */
export const measureIngest = async (options: {
  readonly url: string;
  readonly devices: ReadonlyArray<DeviceCredentials>;
  readonly batchSize: number;
  readonly bound: LoadBound;
  readonly concurrency: number;
  readonly inspection: KafkaInspection;
  readonly telemetryTopic: string;
}): Promise<IngestMeasurement> => {
  const before = await options.inspection.messagesIn(options.telemetryTopic);
  const startedAt = preciseNowMs();
  const summary = await runSimulation({
    url: options.url,
    devices: options.devices,
    deviceCount: options.devices.length,
    ratePerSecond: 1_000_000,
    durationSeconds: options.bound.durationSeconds,
    count: options.bound.count,
    batchSize: options.batchSize,
    concurrency: options.concurrency,
    spikeProbability: 0,
    silenceProbability: 0,
    seed: 8,
  });
  const answeredAt = preciseNowMs();
  if (summary.accepted === 0) {
    throw new Error(`no reading was accepted (errors by status: ${JSON.stringify(summary.errorsByStatus)})`);
  }
  const publishedAt = await whenTopicHolds(
    options.inspection,
    options.telemetryTopic,
    before + summary.accepted,
    30_000,
  );
  const published = (await options.inspection.messagesIn(options.telemetryTopic)) - before;
  const endedAt = publishedAt ?? answeredAt;
  const failures = Object.entries(summary.errorsByStatus).map(([status, count]) => `${count}× ${status}`);
  const notes = [
    `${summary.accepted.toLocaleString("en-US")} readings in ${((endedAt - startedAt) / 1000).toFixed(1)} s`,
    `request p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms`,
    `published ${((endedAt - answeredAt) / 1000).toFixed(2)} s after the last 202`,
    ...(failures.length > 0 ? [`failed requests: ${failures.join(", ")}`] : []),
    ...(publishedAt === undefined ? [`only ${published} of ${summary.accepted} published within 30 s`] : []),
  ];
  const counted = Math.min(summary.accepted, published);
  return { perSecond: (counted * 1000) / (endedAt - startedAt), accepted: summary.accepted, note: notes.join("; ") };
};
