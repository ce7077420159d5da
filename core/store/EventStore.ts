/**
 * The append-only event store: one document per event, optimistic concurrency per stream,
 * idempotent appends by event id, and an outbox view (unpublished events) for reliable
 * publication. Implementations: `EventStoreMongo` (real) and `EventStoreMemory` (unit
 * tests); both pass `eventStoreContract`.
 */
import { Context, type Effect, type Option, type Stream } from "effect";
import type { EventEnvelope, PendingEvent, StreamId } from "../events/EventEnvelope.ts";
import type { EventId } from "../events/EventId.ts";
import type { ConcurrencyError, EventStoreUnavailable } from "./Errors.ts";

/** The version the caller believes the stream is at (0 = the stream does not exist yet), or "any". */
export type ExpectedVersion = number | "any";

/** One stream's part of a batch append. */
export interface StreamAppend {
  readonly streamId: StreamId;
  readonly expectedVersion: ExpectedVersion;
  readonly events: ReadonlyArray<PendingEvent>;
}

/** What a batch append did for one stream, in the order the appends were given. */
export type StreamAppendOutcome =
  | { readonly _tag: "Appended"; readonly streamId: StreamId; readonly events: ReadonlyArray<EventEnvelope> }
  | { readonly _tag: "Conflict"; readonly error: ConcurrencyError };

export interface ReadAllOptions {
  /** Start after this event id (exclusive); ids are UUIDv7, so this is recorded order. */
  readonly after?: EventId | undefined;
  /** Only these event types. */
  readonly types?: ReadonlyArray<string> | undefined;
  /** Page size of the underlying reads; memory stays bounded by it. */
  readonly pageSize?: number | undefined;
}

export class EventStore extends Context.Service<
  EventStore,
  {
    /**
     * Appends events to one stream if it is at `expectedVersion`. Events whose id is
     * already stored are not stored again (the stored copy is returned).
     *
     * @example
     * const stored = yield* store.appendToStream(streamId, 0, [DeviceRegistered.make(payload, meta)]);
     */
    appendToStream(
      streamId: StreamId,
      expectedVersion: ExpectedVersion,
      events: ReadonlyArray<PendingEvent>,
    ): Effect.Effect<ReadonlyArray<EventEnvelope>, ConcurrencyError | EventStoreUnavailable>;
    /**
     * Appends to many streams in one round trip (an HTTP batch of readings for many
     * devices). A conflict on one stream leaves that stream unchanged and the others appended.
     */
    appendBatch(
      appends: ReadonlyArray<StreamAppend>,
    ): Effect.Effect<ReadonlyArray<StreamAppendOutcome>, EventStoreUnavailable>;
    /** The stream's events from `fromVersion` (inclusive, default 1) in version order. */
    readStream(streamId: StreamId, fromVersion?: number): Stream.Stream<EventEnvelope, EventStoreUnavailable>;
    /** The stream's current version, 0 when it does not exist. */
    streamVersion(streamId: StreamId): Effect.Effect<number, EventStoreUnavailable>;
    /** Every event in recorded order, for replays and projection rebuilds. */
    readAll(options?: ReadAllOptions): Stream.Stream<EventEnvelope, EventStoreUnavailable>;
    /** One event by id. */
    getEvent(id: EventId): Effect.Effect<Option.Option<EventEnvelope>, EventStoreUnavailable>;
    /** Events that name `id` as their cause. */
    findCausedBy(id: EventId): Effect.Effect<ReadonlyArray<EventEnvelope>, EventStoreUnavailable>;
    /** Appended but not yet acknowledged by Kafka, recorded before `recordedBefore`, oldest first. */
    unpublished(options: {
      readonly recordedBefore: Date;
      readonly limit: number;
    }): Effect.Effect<ReadonlyArray<EventEnvelope>, EventStoreUnavailable>;
    /** Kafka acknowledged these events. */
    markPublished(ids: ReadonlyArray<EventId>): Effect.Effect<void, EventStoreUnavailable>;
  }
>()("anansky/EventStore") {}
