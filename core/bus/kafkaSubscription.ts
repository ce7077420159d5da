/**
 * One Kafka consumer per `EventBus.subscribe`: joins the group, hands batches (one
 * partition each, at most `concurrency` partitions at once) to the handler, commits a
 * batch only after the handler succeeded, and on scope close lets batches in flight
 * finish and commit before leaving the group.
 */
import kafkaJavascript, { type KafkaJS } from "@confluentinc/kafka-javascript";
import { type Context, Deferred, Effect, Exit, type Scope } from "effect";
import { linkMessageTraces } from "../observability/messagingSpans.ts";
import { handleBatchOnce, logRedelivery, type RedeliveryBackoff, redeliveryDelayMs } from "./batchDelivery.ts";
import type { EventBusUnavailable } from "./Errors.ts";
import type { BatchHandler, SubscribeOptions } from "./EventBus.ts";
import { connectWithin, toIncomingMessage, tryKafka } from "./kafkaBridge.ts";
import { startAtEnd } from "./kafkaOffsets.ts";

const { ErrorCodes } = kafkaJavascript.KafkaJS;

/** Consumer tuning, resolved from KafkaBusOptions. */
export interface ConsumerSettings {
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly metadataMaxAgeMs: number;
  readonly fetchMaxWaitMs: number;
  readonly maxBatchSize: number;
  readonly joinTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly adminTimeoutMs: number;
  readonly redeliveryBackoff: RedeliveryBackoff;
}

interface Subscription {
  readonly consumer: KafkaJS.Consumer;
  readonly handle: BatchHandler;
  readonly settings: ConsumerSettings;
  /** Completed when the scope starts closing: a redelivery backoff stops waiting. */
  readonly closing: Deferred.Deferred<void>;
  /** Consecutive failures per partition, for the backoff. */
  readonly failures: Map<string, number>;
}

/** Handles one batch; resolves (never rejects) so the client keeps consuming. */
const processBatch = Effect.fnUntraced(function* (subscription: Subscription, payload: KafkaJS.EachBatchPayload) {
  const { topic, partition } = payload.batch;
  const batch = payload.batch.messages.map((message) => toIncomingMessage(topic, partition, message));
  const last = batch[batch.length - 1];
  if (last === undefined) return;
  const failureKey = `${topic}:${partition}`;
  const exit = yield* handleBatchOnce(subscription.handle, batch);
  if (Exit.isSuccess(exit)) {
    subscription.failures.delete(failureKey);
    payload.resolveOffset(last.offset);
    const nextOffset = (BigInt(last.offset) + 1n).toString();
    yield* tryKafka("commit", () =>
      subscription.consumer.commitOffsets([{ topic, partition, offset: nextOffset }]),
    ).pipe(
      // Not fatal: a later commit covers it, or the next owner of the partition redelivers.
      Effect.catch((error) => Effect.logWarning(`EventBus commit of ${topic}[${partition}] failed`, error.reason)),
    );
    return;
  }
  const attempt = (subscription.failures.get(failureKey) ?? 0) + 1;
  subscription.failures.set(failureKey, attempt);
  const delayMs = redeliveryDelayMs(attempt, subscription.settings.redeliveryBackoff);
  yield* logRedelivery(batch, attempt, exit.cause, delayMs);
  yield* Effect.raceFirst(Effect.sleep(delayMs), Deferred.await(subscription.closing));
  // Returning without resolveOffset makes the client seek back to the batch's first offset.
});

const leaveGroup = (consumer: KafkaJS.Consumer, closing: Deferred.Deferred<void>) =>
  Deferred.succeed(closing, undefined).pipe(
    // disconnect() waits for the batches in flight (and their commits), then leaves the group.
    Effect.andThen(tryKafka("unsubscribe", () => consumer.disconnect())),
    Effect.catch((error) => Effect.logWarning("EventBus consumer did not disconnect cleanly", error.reason)),
  );

/** Subscribes, starts the consume loop, and waits until the group assigned partitions (or the join timeout). */
const startConsuming = (
  subscription: Subscription,
  options: SubscribeOptions,
  assigned: Deferred.Deferred<void>,
  context: Context.Context<never>,
): Effect.Effect<void, EventBusUnavailable> => {
  const { consumer, settings } = subscription;
  return tryKafka("subscribe", () => consumer.subscribe({ topics: [...options.topics] })).pipe(
    Effect.andThen(
      tryKafka("subscribe", () =>
        consumer.run({
          partitionsConsumedConcurrently: options.concurrency ?? 4,
          eachBatchAutoResolve: false,
          eachBatch: (payload) => Effect.runPromiseWith(context)(processBatch(subscription, payload)),
        }),
      ),
    ),
    Effect.andThen(Deferred.await(assigned)),
    // Not an error: a rebalance waits for every member to finish its batch in flight (a
    // slow store makes that long), and a group with more members than partitions leaves
    // some with none. The consumer stays in the group and takes what it is given later.
    Effect.timeoutOrElse({
      duration: settings.joinTimeoutMs,
      orElse: () =>
        Effect.logWarning(
          `group ${options.groupId} assigned no partitions within ${settings.joinTimeoutMs} ms; staying in the group`,
        ),
    }),
  );
};

/**
 * Marks the batch span (a root: its messages may belong to many traces) as a Kafka
 * receive of this group, linked to the traces its messages carry.
 */
const withReceiveAttributes =
  (groupId: string, handle: BatchHandler): BatchHandler =>
  (batch) =>
    Effect.annotateCurrentSpan({
      "messaging.system": "kafka",
      "messaging.operation.type": "receive",
      "messaging.consumer.group.name": groupId,
    }).pipe(Effect.andThen(linkMessageTraces(batch)), Effect.andThen(Effect.suspend(() => handle(batch))));

/** The layer's clients and settings a subscription uses. */
export interface KafkaClients {
  readonly kafka: KafkaJS.Kafka;
  /** The layer's admin client: reads offsets when a group starts at the end. */
  readonly admin: KafkaJS.Admin;
  readonly settings: ConsumerSettings;
}

/**
 * Starts a consumer for `options` and returns once the group assigned it partitions;
 * consuming goes on in the background until the scope closes.
 *
 * @example
 * yield* subscribeWithKafka({ kafka, admin, settings }, { groupId, topics }, handle);
 */
export const subscribeWithKafka = Effect.fnUntraced(function* (
  { kafka, admin, settings }: KafkaClients,
  options: SubscribeOptions,
  handle: BatchHandler,
): Effect.fn.Return<void, EventBusUnavailable, Scope.Scope> {
  const context: Context.Context<never> = yield* Effect.context<never>();
  const fromBeginning = options.fromBeginning ?? true;
  const assigned = Deferred.makeUnsafe<void>();
  const closing = Deferred.makeUnsafe<void>();
  /** Runs on each assignment; the returned assignment (if any) replaces the group's. */
  const onAssign = async (assignment: Array<KafkaJS.TopicPartition>) => {
    const explicit = fromBeginning
      ? undefined
      : await Effect.runPromiseWith(context)(
          startAtEnd(admin, options.groupId, assignment, settings.adminTimeoutMs).pipe(
            Effect.catch((error) =>
              Effect.logWarning("EventBus could not pin the start offsets; Kafka's latest applies", error.reason).pipe(
                Effect.as(undefined),
              ),
            ),
          ),
        );
    Deferred.doneUnsafe(assigned, Effect.void);
    return explicit;
  };
  const consumer = kafka.consumer({
    kafkaJS: {
      groupId: options.groupId,
      fromBeginning,
      autoCommit: false,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      metadataMaxAge: settings.metadataMaxAgeMs,
      // Lower than the client's 500 ms: a new or idle subscription sees messages sooner.
      maxWaitTimeInMs: settings.fetchMaxWaitMs,
    },
    "js.consumer.max.batch.size": settings.maxBatchSize,
    // librdkafka prefetches up to 64 MB per consumer by default (overshot by up to one
    // partition fetch, 1 MB by default), and a worker runs one consumer per plugin and
    // projection: in a backlog every one of them fills its queue. 512 kB plus 128 kB
    // fetches still hold about a batch ahead of the handlers, which wait on the store far
    // longer than on a fetch; at 4 MB and 1 MB a worker's memory outside the V8 heap grew
    // by 125 MB under a backlog.
    "queued.max.messages.kbytes": 512,
    "fetch.message.max.bytes": 131_072,
    // Returning nothing keeps the client's default handling (revocations, fromBeginning).
    rebalance_cb: (error: { code: number }, assignment: Array<KafkaJS.TopicPartition>) =>
      error.code === ErrorCodes.ERR__ASSIGN_PARTITIONS ? onAssign(assignment) : undefined,
  });
  const subscription: Subscription = {
    consumer,
    handle: withReceiveAttributes(options.groupId, handle),
    settings,
    closing,
    failures: new Map(),
  };

  yield* Effect.acquireRelease(connectWithin(consumer, settings.connectTimeoutMs), () => leaveGroup(consumer, closing));
  // A subscription that fails to start leaves the group now, not when the caller's scope closes.
  yield* startConsuming(subscription, options, assigned, context).pipe(
    Effect.onError(() => leaveGroup(consumer, closing)),
  );
});
