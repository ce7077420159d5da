/**
 * The EventBus on Kafka (@confluentinc/kafka-javascript, librdkafka): the one Node-only
 * part of core. One idempotent producer (acks=all) and one admin client per layer,
 * one consumer per subscription (kafkaSubscription.ts).
 */
import kafkaJavascript from "@confluentinc/kafka-javascript";
import { Effect, Layer, Schedule } from "effect";
import { withProducerSpans } from "../observability/messagingSpans.ts";
import type { RedeliveryBackoff } from "./batchDelivery.ts";
import { EventBusUnavailable } from "./Errors.ts";
import { type BatchHandler, EventBus, type OutgoingMessage, type SubscribeOptions } from "./EventBus.ts";
import { type ClientLogLevel, connectWithin, effectLogger, toTopicMessages, tryKafka } from "./kafkaBridge.ts";
import { groupOffsets, toPartitionLag } from "./kafkaOffsets.ts";
import { type ConsumerSettings, subscribeWithKafka } from "./kafkaSubscription.ts";

const { Kafka, logLevel } = kafkaJavascript.KafkaJS;

export interface KafkaBusOptions {
  /** Comma-separated `host:port` list, as in KAFKA_BOOTSTRAP_SERVERS. */
  readonly bootstrapServers: string;
  /** Names the clients in broker logs (default "anansky"). */
  readonly clientId?: string | undefined;
  /** How long the producer waits to fill a batch before sending (linger.ms, default 5). */
  readonly lingerMs?: number | undefined;
  /** Largest producer batch per partition in bytes (batch.size, default 1 MB). */
  readonly batchSizeBytes?: number | undefined;
  /**
   * How long a publish may wait for the broker's acknowledgement (message.timeout.ms,
   * default 10 s): well under the publisher's sweep delay, so a first send settles before
   * a sweeper could send the event again (see Publisher).
   */
  readonly deliveryTimeoutMs?: number | undefined;
  /** Network and admin request timeout (default 30 s). */
  readonly requestTimeoutMs?: number | undefined;
  /** How long connecting a client may take: bounds the layer's start and each subscribe (default 30 s). */
  readonly connectTimeoutMs?: number | undefined;
  /** A consumer silent this long leaves its group (default 10 s; the broker allows 6 s and up). */
  readonly sessionTimeoutMs?: number | undefined;
  /** Consumer heartbeat period (default 1 s): rebalances are noticed this fast. */
  readonly heartbeatIntervalMs?: number | undefined;
  /** How often consumers refresh topic metadata (default 10 s). */
  readonly metadataMaxAgeMs?: number | undefined;
  /** How long the broker may hold a fetch open waiting for data (fetch.wait.max.ms, default 100). */
  readonly fetchMaxWaitMs?: number | undefined;
  /** Largest batch handed to a handler (default 500). */
  readonly maxBatchSize?: number | undefined;
  /**
   * How long `subscribe` waits for the group to assign partitions before it returns anyway
   * with a warning (default 30 s); the consumer stays in the group either way.
   */
  readonly joinTimeoutMs?: number | undefined;
  /** Wait before redelivering a failed batch (default 100 ms doubling up to 5 s). */
  readonly redeliveryBackoff?: RedeliveryBackoff | undefined;
  /** Which client log lines reach Effect's logger (default "warn"); the console gets none. */
  readonly clientLogLevel?: ClientLogLevel | undefined;
  /** Extra librdkafka properties for every client (security.protocol, sasl.*, ...). */
  readonly librdkafka?: Readonly<Record<string, string | number | boolean>> | undefined;
}

const clientLogLevels = { nothing: logLevel.NOTHING, error: logLevel.ERROR, warn: logLevel.WARN } as const;

const makeKafkaBus = Effect.fnUntraced(function* (options: KafkaBusOptions) {
  const adminTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
  const clientLogLevel = options.clientLogLevel ?? "warn";
  const kafka = new Kafka({
    ...options.librdkafka,
    kafkaJS: {
      brokers: options.bootstrapServers.split(",").map((broker) => broker.trim()),
      clientId: options.clientId ?? "anansky",
      requestTimeout: adminTimeoutMs,
      logLevel: clientLogLevels[clientLogLevel],
      logger: effectLogger(yield* Effect.context<never>(), clientLogLevel),
    },
  });
  const consumerSettings: ConsumerSettings = {
    sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1_000,
    metadataMaxAgeMs: options.metadataMaxAgeMs ?? 10_000,
    fetchMaxWaitMs: options.fetchMaxWaitMs ?? 100,
    maxBatchSize: options.maxBatchSize ?? 500,
    joinTimeoutMs: options.joinTimeoutMs ?? 30_000,
    adminTimeoutMs,
    connectTimeoutMs,
    redeliveryBackoff: options.redeliveryBackoff ?? { initialMs: 100, maxMs: 5_000 },
  };

  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 10_000;
  const producer = kafka.producer({
    acks: -1,
    "enable.idempotence": true,
    "linger.ms": options.lingerMs ?? 5,
    "batch.size": options.batchSizeBytes ?? 1_000_000,
    "message.timeout.ms": deliveryTimeoutMs,
    // The KafkaJS mode caps retries at 5; let message.timeout.ms alone bound delivery.
    retries: 2_147_483_647,
  });
  yield* Effect.acquireRelease(connectWithin(producer, connectTimeoutMs), () =>
    tryKafka("flush", () => producer.flush({ timeout: deliveryTimeoutMs })).pipe(
      Effect.andThen(tryKafka("disconnect", () => producer.disconnect())),
      Effect.catch((error) => Effect.logWarning("EventBus producer did not close cleanly", error.reason)),
    ),
  );
  const admin = kafka.admin();
  yield* Effect.acquireRelease(connectWithin(admin, connectTimeoutMs), () =>
    tryKafka("disconnect", () => admin.disconnect()).pipe(Effect.ignore),
  );

  // Topics this process created or saw: publish and subscribe skip the admin round trip.
  const knownTopics = new Set<string>();

  const awaitLeaders = (topics: ReadonlyArray<string>) =>
    tryKafka("ensureTopics", () => admin.fetchTopicMetadata({ topics: [...topics], timeout: adminTimeoutMs })).pipe(
      Effect.filterOrFail(
        (metadata) =>
          metadata.length === topics.length &&
          metadata.every((topic) => topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0)),
        () => new EventBusUnavailable({ operation: "ensureTopics", reason: `no leader yet for ${topics.join(", ")}` }),
      ),
      Effect.retry({ schedule: Schedule.spaced("50 millis"), times: 200 }),
    );

  const ensureTopics = Effect.fn("EventBus.ensureTopics")(function* (topics: ReadonlyArray<string>, partitions = 4) {
    const missing = [...new Set(topics)].filter((topic) => !knownTopics.has(topic));
    if (missing.length === 0) return;
    // Topics that exist already are left as they are (createTopics skips them).
    yield* tryKafka("ensureTopics", () =>
      admin.createTopics({
        topics: missing.map((topic) => ({ topic, numPartitions: partitions })),
        timeout: adminTimeoutMs,
      }),
    );
    // A new topic is usable once every partition has a leader; consumers subscribing
    // earlier would wait for their next metadata refresh.
    yield* awaitLeaders(missing);
    for (const topic of missing) knownTopics.add(topic);
  });

  const publish = Effect.fn("EventBus.publish")(function* (messages: ReadonlyArray<OutgoingMessage>) {
    if (messages.length === 0) return;
    yield* ensureTopics(messages.map((message) => message.topic));
    yield* Effect.annotateCurrentSpan({
      "messaging.system": "kafka",
      "messaging.operation.type": "send",
      "messaging.batch.message_count": messages.length,
    });
    // One call for the whole batch: librdkafka groups the messages into few produce requests.
    // Each trace in the batch gets its own producer span, which the messages' headers carry on.
    yield* withProducerSpans(messages, (traced) =>
      tryKafka("publish", () => producer.sendBatch({ topicMessages: toTopicMessages(traced) })),
    );
  });

  const subscribe = Effect.fn("EventBus.subscribe")(function* (options: SubscribeOptions, handle: BatchHandler) {
    yield* ensureTopics(options.topics);
    yield* subscribeWithKafka({ kafka, admin, settings: consumerSettings }, options, handle);
  });

  const lag = Effect.fn("EventBus.lag")(function* (groupId: string, topics: ReadonlyArray<string>) {
    const perTopic = yield* Effect.forEach(topics, (topic) => groupOffsets(admin, groupId, topic, adminTimeoutMs), {
      concurrency: 4,
    });
    return perTopic.flat().map(toPartitionLag);
  });

  return EventBus.of({ publish, deliveryTimeoutMs, subscribe, ensureTopics, lag });
});

/**
 * The EventBus on a Kafka cluster. Building it connects the producer and the admin
 * client (failing with EventBusUnavailable when the broker cannot be reached within
 * `connectTimeoutMs`); closing it flushes the producer and disconnects.
 *
 * @example
 * const BusLive = layerKafka({ bootstrapServers: process.env.KAFKA_BOOTSTRAP_SERVERS ?? "localhost:9092" });
 * const program = Effect.gen(function* () {
 *   const bus = yield* EventBus;
 *   yield* bus.publish([{ topic: "anansky.telemetry", key: deviceId, value, headers: {} }]);
 * }).pipe(Effect.provide(BusLive));
 */
export const layerKafka = (options: KafkaBusOptions): Layer.Layer<EventBus, EventBusUnavailable> =>
  Layer.effect(EventBus, makeKafkaBus(options));
