/**
 * Group commit: appends submitted while one is being written are written together in the
 * next one, by a single writer per process (a batcher, core/store/batching.ts). Under load a caller waits for at most one
 * write in flight before its own, and the store sees a few large writes instead of many
 * small ones (FerretDB on SQLite serialises writes, so small ones queued behind each
 * other). The single writer also keeps this process's appends to one stream in order.
 *
 * A group holds each stream once: "any"-version appends to the same stream are merged
 * (in submission order); an append with an expected version to a stream the group holds
 * already waits for the next group, and so does everything submitted after it.
 */
import { Effect, Exit, type Tracer } from "effect";
import type { EventEnvelope, PendingEvent, StreamId } from "../events/EventEnvelope.ts";
import { makeBatcher } from "../store/batching.ts";
import type { EventStoreUnavailable } from "../store/Errors.ts";
import type { StreamAppend, StreamAppendOutcome } from "../store/EventStore.ts";

/** Writes one group: the merged appends, each stream once. */
export type GroupWrite = (
  appends: ReadonlyArray<StreamAppend>,
) => Effect.Effect<ReadonlyArray<StreamAppendOutcome>, EventStoreUnavailable>;

export interface GroupCommit {
  /**
   * Appends with whatever else is submitted meanwhile; the outcomes follow `appends`.
   *
   * @example
   * const [outcome] = yield* groupCommit.submit([{ streamId, expectedVersion: "any", events }]);
   */
  submit(
    appends: ReadonlyArray<StreamAppend>,
  ): Effect.Effect<ReadonlyArray<StreamAppendOutcome>, EventStoreUnavailable>;
}

/** One submission: its appends, their event count, and the submitter's span (for links). */
interface Submission {
  readonly appends: ReadonlyArray<StreamAppend>;
  readonly eventCount: number;
  readonly span: Tracer.AnySpan | undefined;
}

/** Events per group: bounds the writer's memory and the size of one insert. */
const defaultMaxGroupEvents = 10_000;

/** How many of the oldest waiting submissions fit one group, in order (always at least one). */
const groupSize = (waiting: ReadonlyArray<Submission>, maxEvents: number): number => {
  const streams = new Map<StreamId, StreamAppend["expectedVersion"]>();
  let events = 0;
  let count = 0;
  for (const submission of waiting) {
    const fits =
      count === 0 ||
      (events + submission.eventCount <= maxEvents &&
        submission.appends.every((append) => {
          const held = streams.get(append.streamId);
          return held === undefined || (held === "any" && append.expectedVersion === "any");
        }));
    if (!fits) break;
    for (const append of submission.appends)
      if (!streams.has(append.streamId)) streams.set(append.streamId, append.expectedVersion);
    events += submission.eventCount;
    count++;
  }
  return count;
};

/** One append per stream; a stream's events in submission order. */
const mergeByStream = (group: ReadonlyArray<Submission>): Array<StreamAppend> => {
  const merged = new Map<StreamId, { expectedVersion: StreamAppend["expectedVersion"]; events: Array<PendingEvent> }>();
  for (const submission of group) {
    for (const { streamId, expectedVersion, events } of submission.appends) {
      const existing = merged.get(streamId);
      if (existing === undefined) merged.set(streamId, { expectedVersion, events: [...events] });
      else existing.events.push(...events);
    }
  }
  return [...merged].map(([streamId, { expectedVersion, events }]) => ({ streamId, expectedVersion, events }));
};

/** A submission's share of a stream's outcome: its own events (stored copies included). */
const shareOf = (append: StreamAppend, outcome: StreamAppendOutcome | undefined): StreamAppendOutcome => {
  if (outcome === undefined) throw new Error(`group commit: no outcome for stream ${append.streamId}`);
  if (outcome._tag === "Conflict") return outcome;
  const ids = new Set(append.events.map((event) => event.id));
  const events: ReadonlyArray<EventEnvelope> = outcome.events.filter((event) => ids.has(event.id));
  return { ...outcome, events };
};

/**
 * @example
 * const groupCommit = makeGroupCommit((appends) => store.appendBatch(appends));
 * const outcomes = yield* groupCommit.submit(appends);
 */
export const makeGroupCommit = (
  write: GroupWrite,
  options: { readonly maxGroupEvents?: number | undefined } = {},
): GroupCommit => {
  const maxEvents = options.maxGroupEvents ?? defaultMaxGroupEvents;

  const commit = Effect.fnUntraced(function* (group: ReadonlyArray<Submission>) {
    const merged = mergeByStream(group);
    // The write joins the first submitter's trace and links the others', so each caller's
    // trace leads to the write that made its events durable.
    const [first, ...others] = group;
    const links = others.flatMap((submission) =>
      submission.span === undefined ? [] : [{ span: submission.span, attributes: {} }],
    );
    const written = yield* write(merged).pipe(
      group.length === 1
        ? (effect) => effect
        : Effect.withSpan("EventWriter.groupCommit", {
            attributes: { "anansky.group.submissions": group.length, "anansky.group.streams": merged.length },
            links,
          }),
      first?.span === undefined ? (effect) => effect : Effect.withParentSpan(first.span),
      Effect.exit,
    );
    if (Exit.isFailure(written)) return group.map(() => Exit.failCause(written.cause));
    const byStream = new Map<string, StreamAppendOutcome>();
    merged.forEach((append, index) => {
      const outcome = written.value[index];
      if (outcome !== undefined) byStream.set(append.streamId, outcome);
    });
    return group.map((submission) => {
      try {
        return Exit.succeed(submission.appends.map((append) => shareOf(append, byStream.get(append.streamId))));
      } catch (error) {
        return Exit.die(error);
      }
    });
  });

  const batcher = makeBatcher<Submission, ReadonlyArray<StreamAppendOutcome>, EventStoreUnavailable>(commit, {
    take: (waiting) => groupSize(waiting, maxEvents),
  });

  return {
    submit: (appends) =>
      Effect.gen(function* () {
        if (appends.length === 0) return [];
        const span = yield* Effect.currentSpan.pipe(Effect.orElseSucceed(() => undefined));
        const eventCount = appends.reduce((sum, append) => sum + append.events.length, 0);
        return yield* batcher.submit({ appends, eventCount, span });
      }),
  };
};
