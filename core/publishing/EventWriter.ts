/**
 * What handlers and routes use to record facts: append to the store (durable), then hand
 * the stored events to the background publisher. Callers get the stored envelopes back
 * as soon as the append is durable; Kafka follows at least once.
 */
import { Context, Effect, Layer } from "effect";
import type { EventEnvelope, PendingEvent, StreamId } from "../events/EventEnvelope.ts";
import type { ConcurrencyError, EventStoreUnavailable } from "../store/Errors.ts";
import { EventStore, type ExpectedVersion, type StreamAppend, type StreamAppendOutcome } from "../store/EventStore.ts";
import { Publisher } from "./Publisher.ts";

export class EventWriter extends Context.Service<
  EventWriter,
  {
    /**
     * @example
     * yield* writer.append(streamId, "any", [AlertRaised.make(payload, { tenantId, causedBy: reading, idempotencyKey: ruleId })]);
     */
    append(
      streamId: StreamId,
      expectedVersion: ExpectedVersion,
      events: ReadonlyArray<PendingEvent>,
    ): Effect.Effect<ReadonlyArray<EventEnvelope>, ConcurrencyError | EventStoreUnavailable>;
    /** Many streams in one round trip; see EventStore.appendBatch. */
    appendBatch(
      appends: ReadonlyArray<StreamAppend>,
    ): Effect.Effect<ReadonlyArray<StreamAppendOutcome>, EventStoreUnavailable>;
  }
>()("anansky/EventWriter") {
  static readonly layer = Layer.effect(
    EventWriter,
    Effect.gen(function* () {
      const store = yield* EventStore;
      const publisher = yield* Publisher;
      return EventWriter.of({
        append: (streamId, expectedVersion, events) =>
          store.appendToStream(streamId, expectedVersion, events).pipe(Effect.tap(publisher.enqueue)),
        appendBatch: (appends) =>
          store
            .appendBatch(appends)
            .pipe(
              Effect.tap((outcomes) =>
                publisher.enqueue(outcomes.flatMap((outcome) => (outcome._tag === "Appended" ? outcome.events : []))),
              ),
            ),
      });
    }),
  );
}
