/**
 * Spans for Kafka messages with OpenTelemetry messaging semantic-convention attributes
 * (https://opentelemetry.io/docs/specs/semconv/messaging/kafka/), built with Effect's
 * Tracer API. The trace travels in each message's `traceparent` header: producers
 * replace it with their send span, consumers continue from it.
 */
import { Effect, Option, Tracer } from "effect";
import type { IncomingMessage, OutgoingMessage } from "../bus/EventBus.ts";
import { EventHeaders } from "../bus/eventMessages.ts";
import { formatTraceparent, parseTraceparent } from "./traceContext.ts";

/** Links per batch span at most: a 500-message batch should not carry 500 links. */
const maxLinks = 32;

/**
 * The attributes of a consumed message.
 *
 * @example
 * Effect.withSpan(`process ${message.topic}`, { kind: "consumer", attributes: consumedMessageAttributes(message, groupId) });
 */
export const consumedMessageAttributes = (message: IncomingMessage, groupId: string): Record<string, unknown> => ({
  "messaging.system": "kafka",
  "messaging.operation.type": "process",
  "messaging.operation.name": "process",
  "messaging.destination.name": message.topic,
  "messaging.destination.partition.id": String(message.partition),
  "messaging.consumer.group.name": groupId,
  "messaging.kafka.message.key": message.key,
  "messaging.kafka.offset": Number(message.offset),
  "messaging.message.id": message.headers[EventHeaders.eventId] ?? "",
});

/**
 * Sends `messages` with `send` inside one producer span per (trace, topic): each span is
 * a child of the traceparent its messages carry, and the messages leave with the span's
 * own traceparent, so the consumer's span hangs under the send. Messages without a
 * traceparent are sent as they are.
 *
 * @example
 * yield* withProducerSpans(messages, (traced) => tryKafka("publish", () => producer.sendBatch({ topicMessages: toTopicMessages(traced) })));
 */
export const withProducerSpans = <E, R>(
  messages: ReadonlyArray<OutgoingMessage>,
  send: (messages: ReadonlyArray<OutgoingMessage>) => Effect.Effect<void, E, R>,
): Effect.Effect<void, E, R> =>
  Effect.scoped(
    Effect.gen(function* () {
      const spans = new Map<string, { readonly span: Tracer.Span; readonly traceparent: string; count: number }>();
      const traced: Array<OutgoingMessage> = [];
      for (const message of messages) {
        const parent = parseTraceparent(message.headers[EventHeaders.traceparent]);
        if (Option.isNone(parent)) {
          traced.push(message);
          continue;
        }
        const key = `${message.topic} ${message.headers[EventHeaders.traceparent]}`;
        let producer = spans.get(key);
        if (producer === undefined) {
          const span = yield* Effect.makeSpanScoped(`send ${message.topic}`, {
            kind: "producer",
            parent: Tracer.externalSpan(parent.value),
            attributes: {
              "messaging.system": "kafka",
              "messaging.operation.type": "send",
              "messaging.operation.name": "send",
              "messaging.destination.name": message.topic,
            },
            // The publisher's background loop runs untraced; these spans belong to the events' traces.
          }).pipe(Effect.withTracerEnabled(true));
          producer = { span, traceparent: formatTraceparent(span), count: 0 };
          spans.set(key, producer);
        }
        producer.count++;
        traced.push({ ...message, headers: { ...message.headers, [EventHeaders.traceparent]: producer.traceparent } });
      }
      for (const { span, count } of spans.values()) span.attribute("messaging.batch.message_count", count);
      yield* send(traced);
    }),
  );

/**
 * Links the current span (a batch's) to the traces its messages carry.
 *
 * @example
 * yield* linkMessageTraces(batch);
 */
export const linkMessageTraces = (messages: ReadonlyArray<{ readonly headers: Readonly<Record<string, string>> }>) =>
  Effect.flatMap(Effect.option(Effect.currentSpan), (current) =>
    Effect.sync(() => {
      if (Option.isNone(current)) return;
      const links = distinctParents(messages)
        .slice(0, maxLinks)
        .map((parent) => ({ span: Tracer.externalSpan(parent), attributes: {} }));
      if (links.length > 0) current.value.addLinks(links);
    }),
  );

/**
 * The distinct, valid trace contexts in the messages' traceparent headers.
 *
 * @example
 * distinctParents(batch).length; // 1 when the whole batch belongs to one trace
 */
export const distinctParents = (
  messages: ReadonlyArray<{ readonly headers: Readonly<Record<string, string>> }>,
): ReadonlyArray<{ readonly traceId: string; readonly spanId: string; readonly sampled: boolean }> => {
  const seen = new Map<string, { traceId: string; spanId: string; sampled: boolean }>();
  for (const message of messages) {
    const parent = parseTraceparent(message.headers[EventHeaders.traceparent]);
    if (Option.isSome(parent)) seen.set(`${parent.value.traceId}-${parent.value.spanId}`, parent.value);
  }
  return [...seen.values()];
};

/**
 * Runs `effect` for a whole batch in a consumer span named `name`: a child of the
 * batch's trace when all its messages share one, else linked to each of their traces.
 *
 * @example
 * yield* applyBatch(batch).pipe(withBatchSpan(`project ${projection.name}`, batch, { "messaging.consumer.group.name": groupId }));
 */
export const withBatchSpan =
  (
    name: string,
    batch: ReadonlyArray<{ readonly headers: Readonly<Record<string, string>> }>,
    attributes: Record<string, unknown> = {},
  ) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
    const parents = distinctParents(batch);
    const only = parents.length === 1 ? parents[0] : undefined;
    const spanAttributes = {
      "messaging.system": "kafka",
      "messaging.operation.type": "process",
      "messaging.batch.message_count": batch.length,
      ...attributes,
    };
    if (only !== undefined) {
      return effect.pipe(
        Effect.withSpan(name, { kind: "consumer", attributes: spanAttributes }),
        Effect.withParentSpan(Tracer.externalSpan(only)),
      ) as Effect.Effect<A, E, R>;
    }
    const links = parents.slice(0, maxLinks).map((parent) => ({ span: Tracer.externalSpan(parent), attributes: {} }));
    // A root, like the bus's batch span: the links say which traces it served.
    return effect.pipe(Effect.withSpan(name, { kind: "consumer", attributes: spanAttributes, links, root: true }));
  };
