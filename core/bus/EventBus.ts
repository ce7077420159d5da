/**
 * Moves messages between processes: Kafka in production (`EventBusKafka`, Node only), an
 * in-memory broker for unit tests (`EventBusMemory`); both pass `eventBusContract`.
 * The bus knows topics, keys, headers and consumer groups, not event types: mapping
 * events to messages is `eventMessages.ts`.
 */
import { Context, type Effect, type Scope } from "effect";
import type { EventBusUnavailable } from "./Errors.ts";

export interface OutgoingMessage {
  readonly topic: string;
  /** Messages with the same key keep their order (the device id for telemetry). */
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface IncomingMessage extends OutgoingMessage {
  readonly partition: number;
  /** Decimal string: Kafka offsets exceed 2^53 in theory. */
  readonly offset: string;
}

export interface SubscribeOptions {
  readonly groupId: string;
  readonly topics: ReadonlyArray<string>;
  /** Where a group with no committed offset starts (default: earliest). */
  readonly fromBeginning?: boolean | undefined;
  /** How many partitions are handled at once (default 4); order within a partition is kept. */
  readonly concurrency?: number | undefined;
}

/**
 * Handles one batch of consecutive messages from one partition. The batch's offsets are
 * committed only after the returned effect succeeds; if it fails or dies, the batch is
 * delivered again. Retrying and dead-lettering are the caller's business (ConsumerRunner).
 */
export type BatchHandler = (batch: ReadonlyArray<IncomingMessage>) => Effect.Effect<void, unknown>;

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly committedOffset: string;
  readonly endOffset: string;
  readonly lag: number;
}

export class EventBus extends Context.Service<
  EventBus,
  {
    /**
     * Sends messages and succeeds only when the broker acknowledged every one.
     *
     * @example
     * yield* bus.publish([{ topic: "anansky.telemetry", key: deviceId, value, headers }]);
     */
    publish(messages: ReadonlyArray<OutgoingMessage>): Effect.Effect<void, EventBusUnavailable>;
    /** A publish settles within this long: a message it failed does not land afterwards. */
    readonly deliveryTimeoutMs: number;
    /**
     * Joins a consumer group and hands batches to `handle` until the scope closes. On
     * close it finishes the batches in flight, commits them, and leaves the group.
     */
    subscribe(options: SubscribeOptions, handle: BatchHandler): Effect.Effect<void, EventBusUnavailable, Scope.Scope>;
    /** Creates missing topics (existing ones are left as they are). */
    ensureTopics(topics: ReadonlyArray<string>, partitions?: number): Effect.Effect<void, EventBusUnavailable>;
    /** Committed offset (the low watermark when the group has none), end offset and lag per partition of a group. */
    lag(
      groupId: string,
      topics: ReadonlyArray<string>,
    ): Effect.Effect<ReadonlyArray<PartitionLag>, EventBusUnavailable>;
  }
>()("anansky/EventBus") {}
