/**
 * Folds a batch of events into a projection's documents, idempotently and whatever order
 * the events arrive in. Each document remembers the last version of each stream folded
 * into it (`_applied`). An event at or below that version is a redelivery and is skipped.
 * An event further ahead has predecessors that have not been seen yet (a late re-publish,
 * or events of types this projection ignores): they are read from the event store and
 * folded first, in version order. A batch costs one loadMany and one writeMany, plus one
 * readStream per stream with such a gap.
 *
 * Several writers fold into the same documents (the live runner and a command's inline
 * fold, two workers during a rebalance), so each write is conditional on the revision it
 * loaded: the slower writer's write is refused rather than putting an older state over a
 * newer one, and it loads again and folds what is still missing.
 */
import { Effect, Stream } from "effect";
import type { EventEnvelope, StreamId } from "../events/EventEnvelope.ts";
import type { EventStoreUnavailable } from "../store/Errors.ts";
import { EventStore } from "../store/EventStore.ts";
import type { AnyProjection } from "./defineProjection.ts";
import type { ReadModelConstraintViolation, ReadModelStoreUnavailable } from "./Errors.ts";
import { appliedKey, type DocumentState, documentStateOf, storedDocumentOf } from "./projectionDocuments.ts";
import { ReadModelStore } from "./ReadModelStore.ts";

export interface BatchOutcome {
  /** Events folded into documents (redeliveries and ignored events not counted). */
  readonly eventsApplied: number;
  readonly documentsWritten: number;
  /** Events read from the event store to fill gaps. */
  readonly gapEventsRead: number;
}

/** One event as this projection sees it: `documentId` undefined means it changes nothing. */
interface Step {
  readonly envelope: EventEnvelope;
  readonly event: unknown;
  readonly documentId: string | undefined;
}

/** Versions of a stream read from the store: every version in [from, to] is known from here on. */
interface CoveredRange {
  readonly from: number;
  readonly to: number;
}

const ignored = (envelope: EventEnvelope): Step => ({ envelope, event: undefined, documentId: undefined });

const stepOf = (projection: AnyProjection, envelope: EventEnvelope): Effect.Effect<Step> => {
  const definition = projection.definitionOf(envelope.type);
  if (definition === undefined) return Effect.succeed(ignored(envelope));
  return definition.decode(envelope).pipe(
    Effect.map((event): Step => ({ envelope, event, documentId: projection.key(event) })),
    // An event that cannot be decoded can never be folded: skip it rather than stall.
    Effect.catch((error) =>
      Effect.logWarning(
        `projection ${projection.name}: skipping undecodable event ${error.eventId}: ${error.reason}`,
      ).pipe(Effect.as(ignored(envelope))),
    ),
  );
};

const byVersion = (a: Step, b: Step) => a.envelope.streamVersion - b.envelope.streamVersion;

/** Events in arrival order (repeats dropped) and, per stream, sorted by version. */
const groupByStream = (steps: ReadonlyArray<Step>) => {
  const arrival: Array<Step> = [];
  const streams = new Map<StreamId, Map<number, Step>>();
  for (const step of steps) {
    const { streamId, streamVersion } = step.envelope;
    const versions = streams.get(streamId) ?? new Map<number, Step>();
    streams.set(streamId, versions);
    if (versions.has(streamVersion)) continue;
    versions.set(streamVersion, step);
    arrival.push(step);
  }
  return { arrival, streams };
};

/**
 * The range of a stream to read so that every document sees all its predecessors: the
 * versions between a document's last applied version and its next event that the batch
 * does not hold. Undefined when the batch holds them all.
 */
const gapOf = (
  projection: AnyProjection,
  streamId: StreamId,
  versions: ReadonlyMap<number, Step>,
  states: ReadonlyMap<string, DocumentState>,
  knownThrough: number,
): CoveredRange | undefined => {
  const cursors = new Map<string, number>();
  let from = Number.POSITIVE_INFINITY;
  let to = 0;
  for (const step of [...versions.values()].sort(byVersion)) {
    const state = step.documentId === undefined ? undefined : states.get(step.documentId);
    if (step.documentId === undefined || state === undefined) continue;
    const version = step.envelope.streamVersion;
    const cursor =
      cursors.get(step.documentId) ??
      state.applied[appliedKey(streamId)] ??
      (!state.stored && projection.startsDocument(step.event) ? version - 1 : 0);
    if (version <= cursor) continue;
    for (let missing = Math.max(cursor, knownThrough) + 1; missing < version; missing++) {
      if (versions.has(missing)) continue;
      from = Math.min(from, missing);
      to = Math.max(to, version - 1);
      break;
    }
    cursors.set(step.documentId, version);
  }
  return to === 0 ? undefined : { from, to };
};

export interface ApplyBatchOptions {
  /**
   * Per stream, a version up to which every event was handed to this projection already
   * (in this batch or an earlier one). A replay that reads every event in stream order
   * passes it, so events of other types never send it to the store.
   */
  readonly knownThrough?: ReadonlyMap<StreamId, number> | undefined;
}

/** One load, fold and conditional write of the batch. */
const foldOnce = Effect.fnUntraced(function* (
  projection: AnyProjection,
  envelopes: ReadonlyArray<EventEnvelope>,
  options: ApplyBatchOptions = {},
): Effect.fn.Return<
  BatchOutcome,
  ReadModelStoreUnavailable | ReadModelConstraintViolation | EventStoreUnavailable,
  ReadModelStore | EventStore
> {
  const store = yield* ReadModelStore;
  const eventStore = yield* EventStore;
  const { arrival, streams } = groupByStream(yield* Effect.forEach(envelopes, (e) => stepOf(projection, e)));

  const documentIds = [...new Set(arrival.flatMap((step) => step.documentId ?? []))];
  if (documentIds.length === 0) return { eventsApplied: 0, documentsWritten: 0, gapEventsRead: 0 };
  const loaded = yield* store.loadMany(projection.collection, documentIds);
  const states = new Map(documentIds.map((id) => [id, documentStateOf(loaded.get(id), projection.storedForm.decode)]));

  const gaps = (projection.orderIndependent ? [] : [...streams]).flatMap(([streamId, versions]) => {
    const gap = gapOf(projection, streamId, versions, states, options.knownThrough?.get(streamId) ?? 0);
    return gap === undefined ? [] : [{ streamId, ...gap }];
  });
  const fetched = yield* Effect.forEach(
    gaps,
    ({ streamId, from, to }) =>
      eventStore.readStream(streamId, from).pipe(
        Stream.takeWhile((envelope) => envelope.streamVersion <= to),
        Stream.filter((envelope) => projection.definitionOf(envelope.type) !== undefined),
        Stream.runCollect,
      ),
    { concurrency: 8 },
  );
  // Versions the store does not hold inside a read range are holes (an append that was
  // undone): nothing will ever fill them, so the events after them go ahead.
  for (const envelope of fetched.flat()) {
    const versions = streams.get(envelope.streamId);
    if (versions !== undefined && !versions.has(envelope.streamVersion)) {
      versions.set(envelope.streamVersion, yield* stepOf(projection, envelope));
    }
  }

  let eventsApplied = 0;
  const applyStep = (step: Step) => {
    const state = step.documentId === undefined ? undefined : states.get(step.documentId);
    if (state === undefined) return;
    const key = appliedKey(step.envelope.streamId);
    if (!projection.orderIndependent && step.envelope.streamVersion <= (state.applied[key] ?? 0)) return;
    state.doc = projection.apply(state.doc, step.event);
    state.applied[key] = Math.max(state.applied[key] ?? 0, step.envelope.streamVersion);
    state.changed = true;
    eventsApplied++;
  };
  // Arrival order across streams (cross-stream order is all a batch knows), version order
  // within a stream: an event's lower versions, fetched ones included, go first.
  const pending = new Map(
    [...streams].map(([streamId, versions]) => [streamId, [...versions.values()].sort(byVersion)]),
  );
  const nextIndex = new Map<StreamId, number>();
  for (const step of arrival) {
    const { streamId, streamVersion } = step.envelope;
    const sorted = pending.get(streamId) ?? [];
    let index = nextIndex.get(streamId) ?? 0;
    for (; index < sorted.length && (sorted[index]?.envelope.streamVersion ?? 0) <= streamVersion; index++) {
      const next = sorted[index];
      if (next !== undefined) applyStep(next);
    }
    nextIndex.set(streamId, index);
  }

  const writes = yield* Effect.forEach(
    [...states].filter(([, state]) => state.changed),
    ([id, state]) =>
      Effect.map(storedDocumentOf(projection, id, state), (doc) =>
        // A document another writer created meanwhile refuses the insert: the batch reloads.
        state.stored ? { id, doc, expectedRevision: state.revision } : { id, doc, create: true },
      ),
  );
  yield* store.writeMany(projection.collection, writes);
  return { eventsApplied, documentsWritten: writes.length, gapEventsRead: fetched.flat().length };
});

/**
 * The events whose fold the stored documents do not show: a document's `_applied` is below
 * the event's version. Ignored and undecodable events never count.
 */
const notVisible = Effect.fnUntraced(function* (projection: AnyProjection, envelopes: ReadonlyArray<EventEnvelope>) {
  const steps = (yield* Effect.forEach(envelopes, (envelope) => stepOf(projection, envelope))).filter(
    (step) => step.documentId !== undefined,
  );
  if (steps.length === 0) return 0;
  const store = yield* ReadModelStore;
  const ids = [...new Set(steps.flatMap((step) => step.documentId ?? []))];
  const loaded = yield* store.loadMany(projection.collection, ids);
  return steps.filter((step) => {
    const state = documentStateOf(loaded.get(step.documentId ?? ""));
    return (state.applied[appliedKey(step.envelope.streamId)] ?? 0) < step.envelope.streamVersion;
  }).length;
});

/**
 * Folds events a command just appended and checks that the stored documents show them,
 * folding again if not, so the command's response can read its own writes. Conditional
 * writes already refuse a slower writer's older state, but FerretDB does not apply a
 * conditional replace atomically, so two writers in flight at the same instant can both
 * succeed and the older state can land last; the live runner would repair it later.
 *
 * @example
 * yield* foldUntilVisible(devicesProjection, stored);
 */
export const foldUntilVisible = Effect.fn("ProjectionRunner.foldUntilVisible")(function* (
  projection: AnyProjection,
  envelopes: ReadonlyArray<EventEnvelope>,
) {
  for (let attempt = 1; ; attempt++) {
    yield* applyProjectionBatch(projection, envelopes);
    const behind = yield* notVisible(projection, envelopes);
    if (behind === 0) return;
    if (attempt >= foldAttempts) {
      return yield* Effect.die(
        new Error(`projection ${projection.name}: ${behind} event(s) still not visible after ${attempt} folds`),
      );
    }
  }
});

/** Attempts at a batch whose conditional writes lost a race before the violation is taken as real. */
const foldAttempts = 4;

/**
 * Folds `envelopes` (any order, any types, repeats allowed) into the projection's documents.
 *
 * @example
 * const outcome = yield* applyProjectionBatch(devicesProjection, envelopes);
 */
export const applyProjectionBatch = Effect.fn("ProjectionRunner.applyBatch")(function* (
  projection: AnyProjection,
  envelopes: ReadonlyArray<EventEnvelope>,
  options: ApplyBatchOptions = {},
) {
  return yield* foldOnce(projection, envelopes, options).pipe(
    Effect.retry({ times: foldAttempts - 1, while: (error) => error._tag === "ReadModelConstraintViolation" }),
  );
});
