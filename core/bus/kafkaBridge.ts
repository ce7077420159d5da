/**
 * Where @confluentinc/kafka-javascript's world (promises, Buffers, a console logger)
 * meets Effect's: every client call goes through `tryKafka`, the client's log lines go
 * to Effect's logger, and Kafka messages become the bus's string-only messages.
 * Node only, like the client (a native addon).
 */
import type { KafkaJS } from "@confluentinc/kafka-javascript";
import { type Context, Effect, Predicate } from "effect";
import { EventBusUnavailable } from "./Errors.ts";
import type { IncomingMessage, OutgoingMessage } from "./EventBus.ts";

const describeKafkaError = (cause: unknown): string => {
  if (!(cause instanceof Error)) return String(cause);
  // createTopics rejects with an aggregate whose `errors` say what went wrong per topic.
  return Predicate.hasProperty(cause, "errors") && Array.isArray(cause.errors) && cause.errors.length > 0
    ? `${cause.message}: ${cause.errors.map(describeKafkaError).join("; ")}`
    : cause.message;
};

/**
 * Calls the client; a rejection becomes `EventBusUnavailable` naming the operation.
 *
 * @example
 * yield* tryKafka("publish", () => producer.sendBatch({ topicMessages }));
 */
export const tryKafka = <A>(operation: string, call: () => Promise<A>): Effect.Effect<A, EventBusUnavailable> =>
  Effect.tryPromise({
    try: call,
    catch: (cause) => new EventBusUnavailable({ operation, reason: describeKafkaError(cause) }),
  });

/**
 * Connects a producer, consumer or admin client, failing after `timeoutMs` (the client
 * itself waits 30 s for an unreachable broker, whatever its settings say).
 *
 * @example
 * yield* connectWithin(producer, 10_000);
 */
export const connectWithin = (
  client: { connect(): Promise<void>; disconnect(): Promise<void> },
  timeoutMs: number,
): Effect.Effect<void, EventBusUnavailable> =>
  tryKafka("connect", () => client.connect()).pipe(
    Effect.timeoutOrElse({
      duration: timeoutMs,
      orElse: () =>
        // The client keeps connecting in the background; disconnect() returns once it gave up.
        Effect.forkDetach(tryKafka("disconnect", () => client.disconnect()).pipe(Effect.ignore)).pipe(
          Effect.andThen(
            Effect.fail(
              new EventBusUnavailable({ operation: "connect", reason: `no broker answered within ${timeoutMs} ms` }),
            ),
          ),
        ),
    }),
  );

/** Which client log lines reach Effect's logger. */
export type ClientLogLevel = "nothing" | "error" | "warn";

/**
 * A client logger that writes warnings and errors (as allowed by `level`) to Effect's
 * logger, with the services of `context`, instead of the client's console output.
 *
 * @example
 * new Kafka({ kafkaJS: { brokers, logger: effectLogger(yield* Effect.context<never>(), "warn") } });
 */
export const effectLogger = (context: Context.Context<never>, level: ClientLogLevel): KafkaJS.Logger => {
  const run = Effect.runForkWith(context);
  const annotate = (extra: object | undefined) =>
    Effect.annotateLogs({ component: "kafka", ...(extra as Record<string, unknown> | undefined) });
  const logger: KafkaJS.Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (message, extra) => {
      if (level === "warn") run(Effect.logWarning(message).pipe(annotate(extra)));
    },
    error: (message, extra) => {
      if (level !== "nothing") run(Effect.logError(message).pipe(annotate(extra)));
    },
    namespace: () => logger,
    // The client sets its level from the config it was given; `level` already says it.
    setLogLevel: () => undefined,
  };
  return logger;
};

const utf8 = new TextDecoder();

const asText = (value: Uint8Array | string | null | undefined): string =>
  value === null || value === undefined ? "" : typeof value === "string" ? value : utf8.decode(value);

const headerRecord = (headers: KafkaJS.IHeaders | undefined): Record<string, string> => {
  const record: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    // A header name repeated on the wire arrives as an array; the bus keeps the last value.
    record[name] = asText(Array.isArray(value) ? value[value.length - 1] : value);
  }
  return record;
};

/**
 * A consumed Kafka message as the bus hands it to handlers (Buffers decoded as UTF-8).
 *
 * @example
 * const messages = batch.messages.map((m) => toIncomingMessage(batch.topic, batch.partition, m));
 */
export const toIncomingMessage = (
  topic: string,
  partition: number,
  message: KafkaJS.KafkaMessage,
): IncomingMessage => ({
  topic,
  partition,
  offset: message.offset,
  key: asText(message.key),
  value: asText(message.value),
  headers: headerRecord(message.headers),
});

/**
 * The bus's messages grouped per topic (order kept within each topic) for `sendBatch`.
 *
 * @example
 * yield* tryKafka("publish", () => producer.sendBatch({ topicMessages: toTopicMessages(messages) }));
 */
export const toTopicMessages = (messages: ReadonlyArray<OutgoingMessage>): Array<KafkaJS.TopicMessages> => {
  const byTopic = new Map<string, Array<KafkaJS.Message>>();
  for (const message of messages) {
    let topicMessages = byTopic.get(message.topic);
    if (topicMessages === undefined) {
      topicMessages = [];
      byTopic.set(message.topic, topicMessages);
    }
    // Fresh objects: the client rewrites the messages it is given.
    topicMessages.push({ key: message.key, value: message.value, headers: { ...message.headers } });
  }
  return Array.from(byTopic, ([topic, topicMessages]) => ({ topic, messages: topicMessages }));
};
