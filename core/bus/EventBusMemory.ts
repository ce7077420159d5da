/**
 * An in-memory EventBus for unit tests, with the semantics the Kafka layer has: topics
 * with partitions, key-hash partitioning (per-key order), consumer groups with committed
 * offsets, commit only after the handler succeeded, redelivery from the last commit
 * after a failure, and graceful shutdown when the subscription's scope closes.
 *
 * One difference: a group has ONE active member. A second subscription of a group that
 * is already consumed waits as a standby and takes over from the committed offsets
 * when the active one leaves (Kafka would split the partitions between them).
 */
import { Deferred, Effect, Exit, Fiber, Layer, Semaphore } from "effect";
import { handleBatchOnce, logRedelivery, type RedeliveryBackoff, redeliveryDelayMs } from "./batchDelivery.ts";
import { EventBusUnavailable } from "./Errors.ts";
import {
  type BatchHandler,
  EventBus,
  type OutgoingMessage,
  type PartitionLag,
  type SubscribeOptions,
} from "./EventBus.ts";
import { defaultPartitions, MemoryBroker } from "./memoryBroker.ts";

/** Tuning of the in-memory broker. */
export interface MemoryBusOptions {
  /** Largest batch handed to a handler (default 500). */
  readonly maxBatchSize?: number | undefined;
  /** Wait before redelivering a failed batch (default 20 ms doubling up to 1 s). */
  readonly redeliveryBackoff?: RedeliveryBackoff | undefined;
}

interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

interface Member {
  closing: boolean;
  readonly closed: Deferred.Deferred<void>;
}

const makeMemoryBus = (options: MemoryBusOptions) =>
  Effect.sync(() => {
    const broker = new MemoryBroker();
    const maxBatchSize = options.maxBatchSize ?? 500;
    const backoff = options.redeliveryBackoff ?? { initialMs: 20, maxMs: 1_000 };

    const ensureTopics = Effect.fn("EventBus.ensureTopics")(function* (
      topics: ReadonlyArray<string>,
      partitions = defaultPartitions,
    ) {
      yield* Effect.sync(() => {
        for (const topic of topics) broker.ensureTopic(topic, partitions);
      });
    });

    const publish = Effect.fn("EventBus.publish")(function* (messages: ReadonlyArray<OutgoingMessage>) {
      yield* Effect.sync(() => broker.append(messages));
    });

    const lag = Effect.fn("EventBus.lag")(function* (groupId: string, topics: ReadonlyArray<string>) {
      const rows: Array<PartitionLag> = [];
      for (const topic of topics) {
        if (!broker.hasTopic(topic)) {
          return yield* new EventBusUnavailable({ operation: "lag", reason: `unknown topic ${topic}` });
        }
        for (let partition = 0; partition < broker.partitionCount(topic); partition++) {
          // No committed offset counts as the low watermark, which is 0 here (nothing expires).
          const committed = broker.committed(groupId, topic, partition) ?? 0;
          const end = broker.endOffset(topic, partition);
          rows.push({
            topic,
            partition,
            committedOffset: String(committed),
            endOffset: String(end),
            lag: end - committed,
          });
        }
      }
      return rows;
    });

    /** Hands the partition's batches to `handle` in order until the member closes. */
    const consumePartition = Effect.fnUntraced(function* (
      member: Member,
      groupId: string,
      { topic, partition }: TopicPartition,
      startOffset: number,
      permits: Semaphore.Semaphore,
      handle: BatchHandler,
    ) {
      let position = startOffset;
      let failures = 0;
      for (;;) {
        const change = broker.nextChange();
        if (member.closing) return;
        const batch = broker.read(topic, partition, position, maxBatchSize);
        if (batch.length === 0) {
          yield* Deferred.await(change);
          continue;
        }
        const exit = yield* permits.withPermits(1)(handleBatchOnce(handle, batch));
        if (Exit.isSuccess(exit)) {
          position += batch.length;
          failures = 0;
          broker.commit(groupId, topic, partition, position);
          continue;
        }
        failures += 1;
        const delayMs = redeliveryDelayMs(failures, backoff);
        yield* logRedelivery(batch, failures, exit.cause, delayMs);
        // Closing cuts the wait short; the batch stays uncommitted for the next member.
        yield* Effect.raceFirst(Effect.sleep(delayMs), Deferred.await(member.closed));
      }
    });

    const subscribe = Effect.fn("EventBus.subscribe")(function* (options: SubscribeOptions, handle: BatchHandler) {
      yield* ensureTopics(options.topics);
      const { groupId } = options;
      const member: Member = { closing: false, closed: Deferred.makeUnsafe<void>() };
      const permits = yield* Semaphore.make(options.concurrency ?? 4);
      const partitions = options.topics.flatMap((topic) =>
        Array.from({ length: broker.partitionCount(topic) }, (_, partition) => ({ topic, partition })),
      );
      const startOffsets = (): Array<number> =>
        partitions.map(
          ({ topic, partition }) =>
            broker.committed(groupId, topic, partition) ??
            ((options.fromBeginning ?? true) ? 0 : broker.endOffset(topic, partition)),
        );
      // Joined now when the group is free, so "latest" means latest at subscribe time.
      let joinedAt = broker.tryJoin(groupId, member) ? startOffsets() : undefined;

      const consume = Effect.gen(function* () {
        while (joinedAt === undefined) {
          const change = broker.nextChange();
          if (member.closing) return;
          if (broker.tryJoin(groupId, member)) joinedAt = startOffsets();
          else yield* Deferred.await(change);
        }
        const starts = joinedAt;
        yield* Effect.forEach(
          partitions,
          (topicPartition, index) =>
            consumePartition(member, groupId, topicPartition, starts[index] ?? 0, permits, handle),
          { concurrency: "unbounded", discard: true },
        );
      }).pipe(Effect.ensuring(Effect.sync(() => broker.leave(groupId, member))));

      const consumer = yield* Effect.forkScoped(consume);
      // Added after the fork, so it runs before the scope interrupts the fiber: batches in
      // flight finish and commit, then the loops stop at their next turn.
      yield* Effect.addFinalizer(() =>
        Effect.gen(function* () {
          member.closing = true;
          Deferred.doneUnsafe(member.closed, Effect.void);
          broker.notifyChange();
          yield* Fiber.await(consumer);
        }),
      );
    });

    return EventBus.of({ publish, deliveryTimeoutMs: 0, subscribe, ensureTopics, lag });
  });

/**
 * An in-memory EventBus with custom batch size and redelivery backoff.
 *
 * @example
 * const layer = makeLayerMemory({ maxBatchSize: 10 });
 */
export const makeLayerMemory = (options: MemoryBusOptions = {}): Layer.Layer<EventBus> =>
  Layer.effect(EventBus, makeMemoryBus(options));

/**
 * The in-memory EventBus for unit tests (one fresh broker per layer build).
 *
 * @example
 * const program = Effect.gen(function* () {
 *   const bus = yield* EventBus;
 *   yield* bus.publish([{ topic: "anansky.telemetry", key: "device-1", value: "{}", headers: {} }]);
 * }).pipe(Effect.provide(layerMemory));
 */
export const layerMemory: Layer.Layer<EventBus> = makeLayerMemory();
