/**
 * Runs one plugin's event handlers in their own Kafka consumer group. Per batch (one
 * partition): decode, skip what the group already handled (see ProcessedEvents), run
 * each handler (in order per key, up to 16 keys at once) with retries, dead-letter what
 * still fails, remember what succeeded; the bus commits the batch's offsets only after
 * all that succeeded. A failing handler therefore never
 * blocks another plugin (other groups) and never loses a message (dead letters replay).
 *
 * Run handlers (`api.onRun`) get a key's consecutive events of their type in one call: a
 * stateful handler loads and saves its state once per run instead of once per event. A
 * run that still fails after its retries is handled again one event at a time, so only
 * the event that really fails is dead-lettered.
 */
import { Effect, type Scope } from "effect";
import type { EventBusUnavailable } from "../bus/Errors.ts";
import { EventBus, type IncomingMessage } from "../bus/EventBus.ts";
import { EventHeaders, messageToEvent } from "../bus/eventMessages.ts";
import type { EventEnvelope } from "../events/EventEnvelope.ts";
import { type AnyEventDefinition, EventRegistry } from "../events/EventRegistry.ts";
import { consumedMessageAttributes, withBatchSpan } from "../observability/messagingSpans.ts";
import { recordDeadLetter, trackHandling } from "../observability/platformMetrics.ts";
import { continueTrace, provideContextKeepingSpan } from "../observability/traceContext.ts";
import { DeadLetters } from "./DeadLetters.ts";
import { type PartitionOffset, type PartitionRef, ProcessedEvents, partitionName } from "./ProcessedEvents.ts";
import { type RetryPolicy, withRetries } from "./retryPolicy.ts";

/** A handler as the loader stores it: the definition decodes, `handle` reacts. */
export interface RegisteredHandler<R = never> {
  readonly definition: AnyEventDefinition;
  readonly handle: (event: EventEnvelope) => Effect.Effect<void, unknown, R>;
  /** Set for run handlers: a key's consecutive events of this type from one batch, in order. */
  readonly handleRun?: ((events: ReadonlyArray<EventEnvelope>) => Effect.Effect<void, unknown, R>) | undefined;
}

export interface ConsumerGroupSpec<R = never> {
  readonly pluginId: string;
  readonly groupId: string;
  readonly handlers: ReadonlyArray<RegisteredHandler<R>>;
  /** Partitions handled at once (default 4). */
  readonly concurrency?: number | undefined;
}

/**
 * Keys (streams: a device, a rule) whose events of one batch are handled at once. Order
 * holds per key, as Kafka gives it; across keys it never did (other partitions), and
 * handling keys side by side lets their store writes share round trips (group commit).
 */
const keysAtOnce = 16;

/** A batch's messages per key, each key's in batch order; keys in order of first appearance. */
const byKey = <A extends { readonly message: IncomingMessage }>(items: ReadonlyArray<A>): Array<Array<A>> => {
  const groups = new Map<string, Array<A>>();
  for (const item of items) {
    const key = item.message.key;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return [...groups.values()];
};

/** The partitions a batch's messages come from, each once. */
const partitionsOf = (items: ReadonlyArray<{ readonly message: IncomingMessage }>): Array<PartitionRef> => [
  ...new Map(
    items.map(({ message }) => [partitionName(message), { topic: message.topic, partition: message.partition }]),
  ).values(),
];

/** Each partition's highest offset in a batch. */
const highestOffsets = (batch: ReadonlyArray<IncomingMessage>): Array<PartitionOffset> => {
  const highest = new Map<string, PartitionOffset>();
  for (const { topic, partition, offset } of batch) {
    const name = partitionName({ topic, partition });
    const current = highest.get(name);
    if (current === undefined || Number(offset) > current.offset)
      highest.set(name, { topic, partition, offset: Number(offset) });
  }
  return [...highest.values()];
};

/**
 * Whether the group may have handled this message already: it lies at or below its
 * partition's settled offset (or the group never settled that partition), or it is a copy
 * the publisher's sweeper sent again or a dead-letter replay. Anything else is new: the
 * publisher sends each event once unless it republishes it, and only the group's own
 * finished batches raise the settled offset.
 */
const mayBeRepeat = (message: IncomingMessage, settled: ReadonlyMap<string, number>): boolean => {
  if (message.headers[EventHeaders.republished] !== undefined) return true;
  if (message.headers[EventHeaders.replayForGroup] !== undefined) return true;
  const through = settled.get(partitionName(message));
  return through === undefined || Number(message.offset) <= through;
};

const handlesRuns = <R>(handlers: ReadonlyArray<RegisteredHandler<R>>): boolean =>
  handlers.every((handler) => handler.handleRun !== undefined);

/**
 * A key's items cut into what is handled in one call: consecutive events of one type whose
 * handlers all take runs go together, every other event alone.
 */
const runsOf = <R, A extends { readonly handlers: ReadonlyArray<RegisteredHandler<R>> }>(
  items: ReadonlyArray<A>,
): Array<Array<A>> => {
  const runs: Array<Array<A>> = [];
  for (const item of items) {
    const last = runs.at(-1);
    if (last !== undefined && last[0]?.handlers === item.handlers && handlesRuns(item.handlers)) last.push(item);
    else runs.push([item]);
  }
  return runs;
};

/**
 * Subscribes the group and keeps consuming until the enclosing scope closes.
 *
 * @example
 * yield* runConsumerGroup({ pluginId: "alerts", groupId: "anansky.alerts", handlers }, defaultRetryPolicy);
 */
export const runConsumerGroup = Effect.fn("ConsumerRunner.start")(function* <R>(
  spec: ConsumerGroupSpec<R>,
  policy: RetryPolicy,
): Effect.fn.Return<
  void,
  EventBusUnavailable,
  R | Scope.Scope | EventBus | EventRegistry | ProcessedEvents | DeadLetters
> {
  const bus = yield* EventBus;
  const registry = yield* EventRegistry;
  const processed = yield* ProcessedEvents;
  const deadLetters = yield* DeadLetters;
  const handlersByType = new Map<string, Array<RegisteredHandler<R>>>();
  for (const handler of spec.handlers) {
    handlersByType.set(handler.definition.type, [...(handlersByType.get(handler.definition.type) ?? []), handler]);
  }
  const topics = [...new Set(spec.handlers.map((h) => registry.topicFor(h.definition.type)))];

  const deadLetter = Effect.fn("ConsumerRunner.deadLetter")(function* (
    message: IncomingMessage,
    error: string,
    attempts: number,
  ) {
    const failedAt = new Date().toISOString();
    yield* bus.publish([
      {
        topic: registry.deadLetterTopic,
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          "anansky-dlq-group": spec.groupId,
          "anansky-dlq-plugin": spec.pluginId,
          "anansky-dlq-topic": message.topic,
          "anansky-dlq-partition": String(message.partition),
          "anansky-dlq-offset": message.offset,
          "anansky-dlq-attempts": String(attempts),
          "anansky-dlq-error": error.slice(0, 2_000),
          "anansky-dlq-failed-at": failedAt,
        },
      },
    ]);
    yield* deadLetters.record({
      id: `${spec.groupId}|${message.topic}|${message.partition}|${message.offset}`,
      group: spec.groupId,
      pluginId: spec.pluginId,
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      key: message.key,
      value: message.value,
      headers: { ...message.headers },
      eventId: message.headers[EventHeaders.eventId] ?? null,
      eventType: message.headers[EventHeaders.eventType] ?? null,
      error: error.slice(0, 10_000),
      attempts,
      failedAt,
      status: "dead",
      replayedAt: null,
    });
    yield* recordDeadLetter(spec.pluginId, spec.groupId);
    yield* Effect.logWarning(
      `dead-lettered ${message.topic}/${message.partition}@${message.offset} for ${spec.groupId}`,
    );
  });

  /** One attempt of every handler of this plugin on one event: a span and a latency sample. */
  const runHandlers = (event: EventEnvelope, handlers: ReadonlyArray<RegisteredHandler<R>>) =>
    Effect.forEach(handlers, (handler) => handler.handle(event), { discard: true }).pipe(
      Effect.withSpan(`${spec.pluginId} handle ${event.type}`, {
        attributes: { "anansky.plugin.id": spec.pluginId, "anansky.event.id": event.id },
      }),
      trackHandling(spec.pluginId, event.type),
    );

  // The consumer span continues the producer's trace (the message's traceparent header,
  // else the one the event carries), so one trace runs from the HTTP request to here.
  const handleEvent = (message: IncomingMessage, event: EventEnvelope, handlers: ReadonlyArray<RegisteredHandler<R>>) =>
    Effect.gen(function* () {
      const outcome = yield* withRetries(runHandlers(event, handlers), policy);
      if (outcome._tag === "Succeeded") return true;
      yield* deadLetter(message, outcome.error, outcome.attempts);
      return false;
    }).pipe(
      Effect.withSpan(`process ${message.topic}`, {
        kind: "consumer",
        attributes: { ...consumedMessageAttributes(message, spec.groupId), "anansky.event.type": event.type },
      }),
      continueTrace(message.headers[EventHeaders.traceparent] ?? event.traceparent),
    );

  interface Candidate {
    readonly message: IncomingMessage;
    readonly event: EventEnvelope;
    readonly handlers: ReadonlyArray<RegisteredHandler<R>>;
  }

  /** One attempt of every run handler on a run: one span, linked to the run's traces. */
  const runRunHandlers = (run: ReadonlyArray<Candidate>, handlers: ReadonlyArray<RegisteredHandler<R>>) => {
    const type = run[0]?.event.type ?? "";
    const events = run.map((candidate) => candidate.event);
    return Effect.forEach(handlers, (handler) => handler.handleRun?.(events) ?? Effect.void, { discard: true }).pipe(
      withBatchSpan(
        `${spec.pluginId} handle ${type}`,
        run.map((candidate) => candidate.message),
        { "anansky.plugin.id": spec.pluginId, "messaging.consumer.group.name": spec.groupId },
      ),
      trackHandling(spec.pluginId, type),
    );
  };

  /** The candidates' ids this group has not handled; only possible repeats are looked up. */
  const unhandled = Effect.fnUntraced(function* (candidates: ReadonlyArray<Candidate>) {
    const settled = yield* processed.settledThrough(spec.groupId, partitionsOf(candidates));
    const notHandled = new Set<string>();
    const maybeRepeats: Array<string> = [];
    for (const { message, event } of candidates) {
      if (mayBeRepeat(message, settled)) maybeRepeats.push(event.id);
      else notHandled.add(event.id);
    }
    if (maybeRepeats.length === 0) return notHandled;
    for (const id of yield* processed.unprocessed(spec.groupId, maybeRepeats)) notHandled.add(id);
    return notHandled;
  });

  const handleBatch = Effect.fn("ConsumerRunner.handleBatch")(function* (batch: ReadonlyArray<IncomingMessage>) {
    const candidates: Array<Candidate> = [];
    for (const message of batch) {
      const replayFor = message.headers[EventHeaders.replayForGroup];
      if (replayFor !== undefined && replayFor !== spec.groupId) continue;
      const handlers = handlersByType.get(message.headers[EventHeaders.eventType] ?? "");
      if (handlers === undefined) continue;
      const decoded = yield* Effect.result(messageToEvent(message));
      if (decoded._tag === "Failure") {
        yield* deadLetter(message, `malformed message: ${decoded.failure.reason}`, 1);
        continue;
      }
      candidates.push({ message, event: decoded.success, handlers });
    }
    if (candidates.length === 0) return;
    const todo = yield* unhandled(candidates);
    const handled = new Set<string>();
    const handleOne = ({ message, event, handlers }: Candidate) =>
      Effect.map(handleEvent(message, event, handlers), (succeeded) => {
        if (succeeded) handled.add(event.id);
      });
    const handleRun = (run: ReadonlyArray<Candidate>) =>
      Effect.gen(function* () {
        const outcome = yield* withRetries(runRunHandlers(run, run[0]?.handlers ?? []), policy);
        if (outcome._tag === "Succeeded") {
          for (const { event } of run) handled.add(event.id);
          return;
        }
        yield* Effect.logWarning(`a run of ${run.length} events failed for ${spec.groupId}: handling them one by one`);
        yield* Effect.forEach(run, handleOne, { discard: true });
      });
    const handleInOrder = (keyed: ReadonlyArray<Candidate>) => {
      // The same event twice in one batch (at-least-once publishing) is handled once.
      const seen = new Set<string>();
      const fresh = keyed.filter(({ event }) => todo.has(event.id) && !seen.has(event.id) && seen.add(event.id));
      return Effect.forEach(runsOf(fresh), (run) => (run.length === 1 && run[0] ? handleOne(run[0]) : handleRun(run)), {
        discard: true,
      });
    };
    yield* Effect.forEach(byKey(candidates), handleInOrder, { concurrency: keysAtOnce, discard: true });
    yield* processed.markProcessed(spec.groupId, [...handled], highestOffsets(batch));
  });

  // The bus runs handlers without an environment: give them the one this group started in.
  const context = yield* Effect.context<R>();
  yield* bus.subscribe({ groupId: spec.groupId, topics, concurrency: spec.concurrency }, (batch) =>
    handleBatch(batch).pipe(provideContextKeepingSpan(context)),
  );
});
