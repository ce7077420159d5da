/**
 * Group commit for telemetry appends. Concurrent ingest requests hand their readings to
 * one writer per process, which appends everything that queued up while the previous
 * append ran as a single `appendBatch` (one insert of events, one of outbox entries), then
 * answers each request. Under load a request waits for at most one append in flight, and
 * the store sees a few large writes instead of many small ones: FerretDB on SQLite
 * serialises writes, so per-request appends queued behind each other.
 *
 * The single writer also keeps this process's appends to one stream in order, which the
 * per-stream locks did before. Every append is "any version"; other processes may race,
 * the store stays correct either way.
 */
import { Cause, Deferred, Effect, Exit, Schedule, type Tracer } from "effect";
import {
  type ConcurrencyError,
  type EventStoreUnavailable,
  EventWriter,
  type PendingEvent,
  type StreamId,
  stampCurrentTraceparent,
} from "../../core/index.ts";

/** One stream's readings of one request. */
export interface TelemetryAppend {
  readonly streamId: StreamId;
  readonly events: ReadonlyArray<PendingEvent>;
}

interface Waiting {
  readonly appends: ReadonlyArray<TelemetryAppend>;
  readonly eventCount: number;
  readonly done: Deferred.Deferred<void, EventStoreUnavailable | AppendConflict>;
  readonly span: Tracer.AnySpan | undefined;
}

/** "any" appends do not conflict; should a store ever report one, the client retries (ids dedupe). */
export type AppendConflict = ConcurrencyError;

export interface GroupCommit {
  /**
   * Appends the streams' events together with whatever other requests queued meanwhile;
   * succeeds once they are durable.
   *
   * @example
   * yield* groupCommit.append([{ streamId, events }]);
   */
  append(
    appends: ReadonlyArray<TelemetryAppend>,
  ): Effect.Effect<void, EventStoreUnavailable | AppendConflict, EventWriter>;
}

/** A busy store (FerretDB on SQLite reports "database is locked") often answers the next try. */
const appendRetries = Schedule.exponential("50 millis").pipe(Schedule.jittered, Schedule.upTo({ times: 3 }));

/** Events per group: bounds the writer's memory and the size of one insert. */
const defaultMaxGroupEvents = 10_000;

/** Takes waiting requests, oldest first, up to the group limit (always at least one). */
const takeGroup = (queue: Array<Waiting>, maxEvents: number): Array<Waiting> => {
  let events = 0;
  let count = 0;
  while (count < queue.length && (count === 0 || events + (queue[count]?.eventCount ?? 0) <= maxEvents)) {
    events += queue[count]?.eventCount ?? 0;
    count++;
  }
  return queue.splice(0, count);
};

/** One append per stream: a stream's events in the order the requests queued. */
const mergeByStream = (group: ReadonlyArray<Waiting>) => {
  const merged = new Map<StreamId, Array<PendingEvent>>();
  for (const waiting of group) {
    for (const { streamId, events } of waiting.appends) {
      const existing = merged.get(streamId);
      if (existing === undefined) merged.set(streamId, [...events]);
      else existing.push(...events);
    }
  }
  return [...merged].map(([streamId, events]) => ({ streamId, expectedVersion: "any" as const, events }));
};

/**
 * @example
 * const groupCommit = makeGroupCommit();
 * yield* groupCommit.append(appends); // inside a request, with EventWriter provided
 */
export const makeGroupCommit = (options: { readonly maxGroupEvents?: number } = {}): GroupCommit => {
  const maxEvents = options.maxGroupEvents ?? defaultMaxGroupEvents;
  const queue: Array<Waiting> = [];
  let writing = false;

  const commit = Effect.fnUntraced(function* (group: ReadonlyArray<Waiting>) {
    const writer = yield* EventWriter;
    const appends = mergeByStream(group);
    const events = group.reduce((sum, waiting) => sum + waiting.eventCount, 0);
    // The append joins the first request's trace and links the others', so each request's
    // trace leads to the write that made its readings durable.
    const [first, ...others] = group;
    const outcomes = yield* writer.appendBatch(appends).pipe(
      Effect.retry(appendRetries),
      Effect.withSpan("ingest.groupCommit", {
        attributes: { "anansky.group.requests": group.length, "anansky.group.events": events },
        links: others.flatMap((waiting) =>
          waiting.span === undefined ? [] : [{ span: waiting.span, attributes: {} }],
        ),
      }),
      first?.span === undefined ? (effect) => effect : Effect.withParentSpan(first.span),
      Effect.exit,
    );
    if (Exit.isFailure(outcomes)) {
      for (const waiting of group) yield* Deferred.failCause(waiting.done, outcomes.cause);
      return;
    }
    const conflicts = new Map<string, AppendConflict>();
    for (const outcome of outcomes.value)
      if (outcome._tag === "Conflict") conflicts.set(outcome.error.streamId, outcome.error);
    for (const waiting of group) {
      const conflict = waiting.appends.map((append) => conflicts.get(append.streamId)).find((c) => c !== undefined);
      yield* conflict === undefined ? Deferred.succeed(waiting.done, undefined) : Deferred.fail(waiting.done, conflict);
    }
  });

  /**
   * Writes groups until the queue is empty; only one runs at a time. Seeing the queue empty
   * and clearing `writing` happen in one step, so a request queued meanwhile is never missed.
   */
  const drain: Effect.Effect<void, never, EventWriter> = Effect.suspend(() => {
    if (queue.length === 0) {
      writing = false;
      return Effect.void;
    }
    return Effect.andThen(commit(takeGroup(queue, maxEvents)), drain);
  }).pipe(
    Effect.catchCause((cause) =>
      Effect.gen(function* () {
        // Not expected (commit answers every request it took), but no request may wait forever.
        writing = false;
        for (const waiting of queue.splice(0)) yield* Deferred.die(waiting.done, Cause.squash(cause));
        yield* Effect.logError(`ingest group commit stopped: ${Cause.pretty(cause)}`);
      }),
    ),
  );

  return {
    append: (appends) =>
      Effect.gen(function* () {
        const done = yield* Deferred.make<void, EventStoreUnavailable | AppendConflict>();
        const span = yield* Effect.currentSpan.pipe(Effect.orElseSucceed(() => undefined));
        const stamped = yield* Effect.forEach(appends, (append) =>
          Effect.map(stampCurrentTraceparent(append.events), (events) => ({ ...append, events })),
        );
        queue.push({ appends: stamped, eventCount: stamped.reduce((n, a) => n + a.events.length, 0), done, span });
        if (!writing) {
          writing = true;
          const writer = yield* EventWriter;
          yield* Effect.forkDetach(drain.pipe(Effect.provideService(EventWriter, writer)));
        }
        return yield* Deferred.await(done);
      }),
  };
};
