/**
 * The alert side of the latency row: the rule the probes trip (created through the
 * alert-rules plugin's POST /v1/rules), and a Kafka consumer of the alerts topic that
 * notes, for every AlertRaised, the reading that caused it, when the store recorded it
 * and when it arrived on Kafka.
 */
import type { KafkaJS } from "@confluentinc/kafka-javascript";
import { preciseNowMs } from "./percentiles.ts";

/** The tag of the probe devices; the rule watches only them. */
export const probeTag = "bench-probe";
export const probeRuleId = "bench-probe-above-half";

/** A check whose failure makes a row "n/a" with this message. */
export class FeatureUnavailable extends Error {
  override readonly name = "FeatureUnavailable";
}

/**
 * Creates the probe rule (a rule that exists already is fine).
 *
 * @example
 * await createProbeRule("http://127.0.0.1:41234", tenantKey);
 */
export const createProbeRule = async (url: string, tenantKey: string): Promise<void> => {
  const response = await fetch(`${url}/v1/rules`, {
    method: "POST",
    headers: { authorization: `Bearer ${tenantKey}`, "content-type": "application/json" },
    body: JSON.stringify({
      ruleId: probeRuleId,
      name: "bench: probe above 0.5",
      severity: "minor",
      scope: { tag: probeTag },
      condition: { type: "threshold", value: { source: "reading", key: "probe" }, op: ">", threshold: 0.5 },
    }),
  });
  const text = await response.text();
  if (response.status === 201 || response.status === 409) return;
  if (response.status === 404 || response.status === 405) {
    throw new FeatureUnavailable(`POST /v1/rules answered ${response.status}: the alert-rules plugin is not loaded`);
  }
  throw new FeatureUnavailable(`POST /v1/rules answered ${response.status}: ${text.slice(0, 200)}`);
};

/** One AlertRaised as the bench saw it. */
export interface ObservedAlert {
  readonly causeEventId: string;
  /** The event's recordedAt (epoch ms, as the worker's store append stamped it). */
  readonly recordedAtMs: number;
  /** When the bench's consumer received it (epoch ms). */
  readonly arrivedAtMs: number;
}

export interface AlertObserver {
  /** The alert raised by the reading with this event id, when seen. */
  raisedBy(eventId: string): ObservedAlert | undefined;
  /** Resolves once an alert raised by `eventId` was seen, or with undefined at the deadline. */
  waitFor(eventId: string, timeoutMs: number): Promise<ObservedAlert | undefined>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @example
 * const observer = await observeRaisedAlerts(kafka, "bench-x.alerts", "bench-x.latency-1");
 * const alert = await observer.waitFor(eventId, 30_000);
 */
export const observeRaisedAlerts = async (
  kafka: KafkaJS.Kafka,
  topic: string,
  groupId: string,
): Promise<AlertObserver> => {
  const seen = new Map<string, ObservedAlert>();
  const consumer = kafka.consumer({ kafkaJS: { groupId, fromBeginning: true, autoCommit: false } });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const arrivedAtMs = preciseNowMs();
      const type = message.headers?.["anansky-event-type"]?.toString();
      if (type !== "AlertRaised" || message.value === null) return;
      const event = JSON.parse(message.value.toString()) as {
        recordedAt?: string;
        payload?: { causeEventId?: string | null };
      };
      const causeEventId = event.payload?.causeEventId;
      if (typeof causeEventId !== "string" || event.recordedAt === undefined) return;
      if (!seen.has(causeEventId)) {
        seen.set(causeEventId, { causeEventId, recordedAtMs: Date.parse(event.recordedAt), arrivedAtMs });
      }
    },
  });
  return {
    raisedBy: (eventId) => seen.get(eventId),
    waitFor: async (eventId, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = seen.get(eventId);
        if (found !== undefined) return found;
        await sleep(20);
      }
      return seen.get(eventId);
    },
    stop: () => consumer.disconnect(),
  };
};
