/**
 * What handlers and routes use to record facts: append to the store (durable), then hand
 * the stored events to the background publisher. Callers get the stored envelopes back
 * as soon as the append is durable; Kafka follows at least once. Appends made at the same
 * time (concurrent requests, handlers of different devices) share one write: see
 * groupCommit.ts.
 */
import { Context, Effect, Layer, Option } from "effect";
import type { EventEnvelope, PendingEvent, StreamId } from "../events/EventEnvelope.ts";
import { trackAppend } from "../observability/platformMetrics.ts";
import { currentTraceparent, traceparentToStamp } from "../observability/traceContext.ts";
import type { ConcurrencyError, EventStoreUnavailable } from "../store/Errors.ts";
import { EventStore, type ExpectedVersion, type StreamAppend, type StreamAppendOutcome } from "../store/EventStore.ts";
import { type GroupWrite, makeGroupCommit } from "./groupCommit.ts";
import { Publisher } from "./Publisher.ts";

const storedTypes = (events: ReadonlyArray<EventEnvelope>) => events.map((event) => event.type);

const appendedEvents = (outcomes: ReadonlyArray<StreamAppendOutcome>) =>
  outcomes.flatMap((outcome) => (outcome._tag === "Appended" ? outcome.events : []));

/**
 * Stamps the current trace context on the events (see traceparentToStamp), so whoever
 * handles them later continues this trace. An event already stamped with another trace
 * keeps it (a group commit writes several requests' events under one span).
 *
 * @example
 * const stamped = yield* stampCurrentTraceparent(events);
 */
export const stampCurrentTraceparent = (
  events: ReadonlyArray<PendingEvent>,
): Effect.Effect<ReadonlyArray<PendingEvent>> =>
  Effect.map(currentTraceparent, (current) =>
    Option.match(current, {
      onNone: () => events,
      onSome: (traceparent) =>
        events.map((event) => {
          const stamped = traceparentToStamp(event.traceparent, traceparent);
          return stamped === event.traceparent ? event : { ...event, traceparent: stamped };
        }),
    }),
  );

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
      // A group of one stream goes through appendToStream, the others through appendBatch.
      const writeGroup: GroupWrite = (appends) => {
        const [only] = appends;
        const written: Effect.Effect<ReadonlyArray<StreamAppendOutcome>, EventStoreUnavailable> = appends.length ===
          1 && only !== undefined
          ? store.appendToStream(only.streamId, only.expectedVersion, only.events).pipe(
              trackAppend("append", storedTypes),
              Effect.map(
                (events): ReadonlyArray<StreamAppendOutcome> => [{ _tag: "Appended", streamId: only.streamId, events }],
              ),
              Effect.catchTag("ConcurrencyError", (error) =>
                Effect.succeed<ReadonlyArray<StreamAppendOutcome>>([{ _tag: "Conflict", error }]),
              ),
            )
          : store
              .appendBatch(appends)
              .pipe(trackAppend("appendBatch", (result) => storedTypes(appendedEvents(result))));
        return Effect.tap(written, (outcomes) => publisher.enqueue(appendedEvents(outcomes)));
      };
      const groupCommit = makeGroupCommit(writeGroup);
      const stampAll = (appends: ReadonlyArray<StreamAppend>) =>
        Effect.forEach(appends, (streamAppend) =>
          Effect.map(stampCurrentTraceparent(streamAppend.events), (events) => ({ ...streamAppend, events })),
        );
      const append = Effect.fn("EventWriter.append")(function* (
        streamId: StreamId,
        expectedVersion: ExpectedVersion,
        events: ReadonlyArray<PendingEvent>,
      ) {
        yield* Effect.annotateCurrentSpan({ "anansky.stream.id": streamId, "anansky.event.count": events.length });
        const [outcome] = yield* groupCommit.submit(yield* stampAll([{ streamId, expectedVersion, events }]));
        if (outcome?._tag === "Conflict") return yield* outcome.error;
        return outcome?.events ?? [];
      });
      const appendBatch = Effect.fn("EventWriter.appendBatch")(function* (appends: ReadonlyArray<StreamAppend>) {
        yield* Effect.annotateCurrentSpan({ "anansky.stream.count": appends.length });
        return yield* groupCommit.submit(yield* stampAll(appends));
      });
      return EventWriter.of({ append, appendBatch });
    }),
  );
}
