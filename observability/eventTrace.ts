/**
 * From an event (an alert, say) back to the reading that started it: the event's trace
 * id (from its traceparent) and its causation chain, root first, found by following
 * `causationId` through the event store; plus the events it caused in turn.
 */
import { Effect, Option, Schema } from "effect";
import { type EventEnvelope, EventId, EventStore, NotFound, traceIdOf } from "../core/index.ts";

/** One event of a chain, without its payload (the SRE asks for the path, not the data). */
export const EventSummary = Schema.Struct({
  id: Schema.String,
  type: Schema.String,
  streamId: Schema.String,
  recordedAt: Schema.String,
  causationId: Schema.NullOr(Schema.String),
  traceparent: Schema.NullOr(Schema.String),
  traceId: Schema.NullOr(Schema.String),
});
export type EventSummary = typeof EventSummary.Type;

export const EventTrace = Schema.Struct({
  eventId: Schema.String,
  traceId: Schema.NullOr(Schema.String),
  /** Every distinct trace id along the chain (more than one after a replay or a manual re-post). */
  traceIds: Schema.Array(Schema.String),
  /** Root first, ending with the event asked about. */
  chain: Schema.Array(EventSummary),
  /** The chain was cut at `maxDepth` or at a cause missing from the store. */
  truncated: Schema.Boolean,
  /** Events that name this one as their cause. */
  causedEvents: Schema.Array(EventSummary),
});
export type EventTrace = typeof EventTrace.Type;

const summary = (event: EventEnvelope): EventSummary => ({
  id: event.id,
  type: event.type,
  streamId: event.streamId,
  recordedAt: event.recordedAt,
  causationId: event.causationId,
  traceparent: event.traceparent,
  traceId: Option.getOrNull(traceIdOf(event.traceparent)),
});

const isEventId = Schema.is(EventId);

/**
 * @example
 * const trace = yield* eventTrace(alertEventId); // trace.chain[0] is the reading
 */
export const eventTrace = Effect.fn("observability.eventTrace")(function* (eventId: string, maxDepth = 50) {
  const store = yield* EventStore;
  const found = isEventId(eventId) ? yield* store.getEvent(eventId) : Option.none();
  if (Option.isNone(found)) return yield* new NotFound({ detail: `no event ${eventId}` });
  const chain: Array<EventEnvelope> = [found.value];
  let truncated = false;
  for (let cause = found.value.causationId; cause !== null; ) {
    // A cycle cannot come from handlers, but a hand-written event could make one.
    if (chain.length >= maxDepth || chain.some((event) => event.id === cause)) {
      truncated = true;
      break;
    }
    const parent = yield* store.getEvent(cause);
    if (Option.isNone(parent)) {
      truncated = true;
      break;
    }
    chain.push(parent.value);
    cause = parent.value.causationId;
  }
  const caused = yield* store.findCausedBy(found.value.id);
  const summaries = chain.reverse().map(summary);
  return {
    eventId: found.value.id,
    traceId: Option.getOrNull(traceIdOf(found.value.traceparent)),
    traceIds: [...new Set(summaries.flatMap((event) => (event.traceId === null ? [] : [event.traceId])))],
    chain: summaries,
    truncated,
    causedEvents: caused.map(summary),
  } satisfies EventTrace;
});
