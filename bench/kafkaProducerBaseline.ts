/**
 * Raw Kafka baseline: how many messages per second the platform's own client
 * (@confluentinc/kafka-javascript, with the EventBus producer's settings: acks=all,
 * idempotent, linger 5 ms, 1 MB batches) gets acknowledged, sending batches of
 * `batch` messages of `messageBytes` bytes with a few batches in flight.
 */
import { randomBytes } from "node:crypto";
import type { KafkaJS } from "@confluentinc/kafka-javascript";
import { preciseNowMs } from "./percentiles.ts";

export interface KafkaProducerBaselineOptions {
  readonly kafka: KafkaJS.Kafka;
  readonly topic: string;
  readonly messages: number;
  readonly batch: number;
  readonly messageBytes: number;
  /** Stops sending new batches after this long; what was acknowledged counts. */
  readonly timeLimitMs: number;
  readonly batchesInFlight?: number;
}

export interface ThroughputMeasurement {
  /** Units (messages, documents, requests, readings) per second. */
  readonly perSecond: number;
  readonly units: number;
  readonly elapsedMs: number;
}

/**
 * @example
 * const { perSecond } = await measureKafkaProducer({ kafka, topic: "bench-x.raw", messages: 200_000, batch: 1_000, messageBytes: 200, timeLimitMs: 60_000 });
 */
export const measureKafkaProducer = async (options: KafkaProducerBaselineOptions): Promise<ThroughputMeasurement> => {
  const producer = options.kafka.producer({
    acks: -1,
    "enable.idempotence": true,
    "linger.ms": 5,
    "batch.size": 1_000_000,
    "message.timeout.ms": 30_000,
  });
  await producer.connect();
  try {
    const value = randomBytes(options.messageBytes / 2).toString("hex");
    const batchOf = (size: number, offset: number) =>
      Array.from({ length: size }, (_, index) => ({ key: `device-${(offset + index) % 100}`, value }));
    // Warm up: connections, metadata and the idempotent producer id are not part of the rate.
    await producer.send({ topic: options.topic, messages: batchOf(10, 0) });

    const inFlight = options.batchesInFlight ?? 4;
    const startedAt = preciseNowMs();
    const deadline = startedAt + options.timeLimitMs;
    let queued = 0;
    let acknowledged = 0;
    const sender = async () => {
      while (queued < options.messages && preciseNowMs() < deadline) {
        const size = Math.min(options.batch, options.messages - queued);
        const messages = batchOf(size, queued);
        queued += size;
        await producer.send({ topic: options.topic, messages });
        acknowledged += size;
      }
    };
    await Promise.all(Array.from({ length: inFlight }, sender));
    const elapsedMs = preciseNowMs() - startedAt;
    return { perSecond: (acknowledged * 1000) / elapsedMs, units: acknowledged, elapsedMs };
  } finally {
    await producer.disconnect();
  }
};
