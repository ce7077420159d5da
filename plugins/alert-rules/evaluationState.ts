/**
 * Evaluation state per (rule, device), stored as revisions in `alert_evaluation_state`.
 *
 * Each revision is one document: the engine's state, the last telemetry position applied
 * per stream, the open episode, and the alert events the revision decided (`pending`).
 * A revision is committed by inserting a document whose `slot` (`<key>#<revision>`) a
 * unique index guards: of two writers that both read revision n, one commits n + 1 and
 * the other gets a conflict, reloads and evaluates again. Committing is the only decision
 * point; the alert events are appended after it (idempotently, by their ids fixed in the
 * revision) and before anything reads the next revision, so a crash between the two is
 * repaired by whoever loads the state next. See README.md, "Exactly once".
 *
 * A commit removes the revision before its predecessor (two are kept): a slot is only
 * free again once two newer revisions exist. A commit that decided alert events is
 * confirmed as the newest revision before they are appended, so even a writer that
 * slept through several commits never appends from a stale state.
 */
import { Effect, Option, Schedule, Schema, Semaphore } from "effect";
import {
  type DocumentWrite,
  type EventEnvelope,
  EventWriter,
  makeBatchedLoads,
  makeBatchedWrites,
  type PendingEvent,
  perStore,
  type ReadModelConstraintViolation,
  ReadModelStore,
  type ReadModelStoreUnavailable,
  type ReadModelView,
} from "../../core/index.ts";
import { alertStreamId, type Severity } from "./alertEvents.ts";
import type { RuleDeviceState } from "./engineApi.ts";

/** The collection (other plugins may read it; only this plugin writes it). */
export const evaluationStateCollection = "alert_evaluation_state";

/** Another writer committed this revision first: reload and decide again. */
export class EvaluationRaced extends Schema.TaggedError<EvaluationRaced>()("EvaluationRaced", {
  key: Schema.String,
  revision: Schema.Int,
}) {}

/** The alert episode in progress, if any. */
export interface Episode {
  readonly alertId: string;
  readonly stage: "pending" | "open";
  /** Device time (ms) the episode opened. */
  readonly openedAt: number;
  /** Its current severity (states stored before it was kept lack it). */
  readonly severity?: Severity | undefined;
}

/** The last version of each reading stream (telemetry or enriched) folded into the state. */
export interface StreamPosition {
  readonly streamId: string;
  readonly version: number;
}

export interface EvaluationSnapshot {
  readonly tenantId: string;
  readonly ruleId: string;
  readonly deviceId: string;
  /** 0 before the first commit. */
  readonly revision: number;
  /** The rule version the state belongs to: a changed rule starts afresh. */
  readonly ruleVersion: number;
  readonly engineState: RuleDeviceState;
  readonly positions: ReadonlyArray<StreamPosition>;
  readonly episode: Episode | null;
  /** Alert events this revision decided; appended right after the commit. */
  readonly pending: ReadonlyArray<PendingEvent>;
  /** The stored document of this revision. */
  readonly documentId: string | undefined;
  /** The previous revision's document (deleted when the next revision commits). */
  readonly previousDocumentId: string | undefined;
}

/**
 * @example
 * stateKey("acme", "hot-pumps", "pump-1") // "acme|hot-pumps|pump-1"
 */
export const stateKey = (tenantId: string, ruleId: string, deviceId: string): string =>
  `${tenantId}|${ruleId}|${deviceId}`;

const keyOf = (snapshot: Pick<EvaluationSnapshot, "tenantId" | "ruleId" | "deviceId">) =>
  stateKey(snapshot.tenantId, snapshot.ruleId, snapshot.deviceId);

/**
 * The position of a stream in the snapshot (0 when never seen).
 *
 * @example
 * if (event.streamVersion <= positionOf(snapshot, event.streamId)) return; // already applied
 */
export const positionOf = (snapshot: Pick<EvaluationSnapshot, "positions">, streamId: string): number =>
  snapshot.positions.find((position) => position.streamId === streamId)?.version ?? 0;

/**
 * The positions with one stream moved to `version`.
 *
 * @example
 * withPosition(snapshot.positions, event.streamId, event.streamVersion)
 */
export const withPosition = (
  positions: ReadonlyArray<StreamPosition>,
  streamId: string,
  version: number,
): ReadonlyArray<StreamPosition> => [...positions.filter((p) => p.streamId !== streamId), { streamId, version }];

// JSON text for the state, positions and pending events: value keys such as "cpu.load"
// and stream ids are data there, never field names a document store might refuse.
const toDocument = (snapshot: EvaluationSnapshot) => ({
  key: keyOf(snapshot),
  slot: `${keyOf(snapshot)}#${snapshot.revision}`,
  revision: snapshot.revision,
  tenantId: snapshot.tenantId,
  ruleId: snapshot.ruleId,
  deviceId: snapshot.deviceId,
  ruleVersion: snapshot.ruleVersion,
  engineState: JSON.stringify(snapshot.engineState),
  positions: JSON.stringify(snapshot.positions),
  episode: snapshot.episode === null ? null : JSON.stringify(snapshot.episode),
  pending: JSON.stringify(snapshot.pending),
  hasPending: snapshot.pending.length > 0,
  previousDocumentId: snapshot.previousDocumentId ?? null,
  updatedAt: new Date().toISOString(),
});

/**
 * A stored revision as a snapshot.
 *
 * @example
 * const snapshot = snapshotOf(view);
 */
export const snapshotOf = (view: ReadModelView): EvaluationSnapshot => ({
  tenantId: String(view.tenantId),
  ruleId: String(view.ruleId),
  deviceId: String(view.deviceId),
  revision: Number(view.revision),
  ruleVersion: Number(view.ruleVersion),
  engineState: JSON.parse(String(view.engineState)) as RuleDeviceState,
  positions: JSON.parse(String(view.positions)) as ReadonlyArray<StreamPosition>,
  episode: typeof view.episode === "string" ? (JSON.parse(view.episode) as Episode) : null,
  pending: JSON.parse(String(view.pending)) as ReadonlyArray<PendingEvent>,
  documentId: view._id,
  previousDocumentId: typeof view.previousDocumentId === "string" ? view.previousDocumentId : undefined,
});

// Once per process, serialized, one index per call: FerretDB 1.24 panics (and drops the
// connection) on a createIndexes naming several indexes that already exist, which every
// process start after the first would do. A failure is retried with backoff.
let indexesEnsured = false;
const indexCreation = Semaphore.makeUnsafe(1);

const ensureIndexes = Effect.suspend(() =>
  indexesEnsured
    ? Effect.void
    : indexCreation.withPermits(1)(
        Effect.gen(function* () {
          if (indexesEnsured) return;
          const store = yield* ReadModelStore;
          const indexes = [
            { keys: { slot: 1 }, unique: true },
            { keys: { key: 1, revision: -1 } },
            { keys: { tenantId: 1, ruleId: 1 } },
          ] as const;
          for (const index of indexes) {
            yield* store
              .ensureIndexes(evaluationStateCollection, [index])
              .pipe(Effect.retry(Schedule.exponential("100 millis").pipe(Schedule.upTo({ times: 5 }))), Effect.orDie);
          }
          indexesEnsured = true;
        }),
      ),
);

type WriteError = ReadModelStoreUnavailable | ReadModelConstraintViolation;

/**
 * Evaluations running side by side (a consumer batch's devices) load their states in one
 * query and commit them in one write. One of each per store, so each test's store gets its own.
 */
const batchedAccessOf = perStore((store) => ({
  newest: makeBatchedLoads((keys) =>
    Effect.map(
      store.find(evaluationStateCollection, { key: { $in: [...keys] } }, { sort: { revision: -1 } }),
      (found) => {
        const newest = new Map<string, ReadModelView>();
        for (const view of found) if (!newest.has(String(view.key))) newest.set(String(view.key), view);
        return newest;
      },
    ),
  ),
  commits: makeBatchedWrites(
    (writes: ReadonlyArray<DocumentWrite>) => store.writeMany(evaluationStateCollection, writes),
    (error: WriteError) => error._tag === "ReadModelConstraintViolation",
  ),
}));

/**
 * The newest committed revision of a (rule, device) pair, if any.
 *
 * @example
 * const snapshot = yield* loadSnapshot("acme", "hot-pumps", "pump-1");
 */
export const loadSnapshot = Effect.fn("alertRules.loadSnapshot")(function* (
  tenantId: string,
  ruleId: string,
  deviceId: string,
) {
  yield* ensureIndexes;
  const newest = yield* batchedAccessOf(yield* ReadModelStore).newest.load(stateKey(tenantId, ruleId, deviceId));
  return Option.map(Option.fromNullishOr(newest), snapshotOf);
});

/**
 * The newest revision of every device's state for one rule.
 *
 * @example
 * const snapshots = yield* loadRuleSnapshots("acme", "hot-pumps");
 */
export const loadRuleSnapshots = Effect.fn("alertRules.loadRuleSnapshots")(function* (
  tenantId: string,
  ruleId: string,
) {
  yield* ensureIndexes;
  const store = yield* ReadModelStore;
  const found = yield* store.find(evaluationStateCollection, { tenantId, ruleId }, { sort: { revision: -1 } });
  const newest = new Map<string, EvaluationSnapshot>();
  for (const view of found) {
    const snapshot = snapshotOf(view);
    if (!newest.has(keyOf(snapshot))) newest.set(keyOf(snapshot), snapshot);
  }
  return [...newest.values()];
});

const newestDocumentId = (key: string) =>
  Effect.gen(function* () {
    const newest = yield* batchedAccessOf(yield* ReadModelStore).newest.load(key);
    return newest?._id;
  });

/**
 * Commits `next` as the revision after `previous`: EvaluationRaced when another writer
 * did first (or, for a revision with pending alert events, when it is not the newest
 * once written).
 *
 * @example
 * const committed = yield* commitSnapshot(previous, { ...previous, engineState, pending: events });
 */
export const commitSnapshot = Effect.fn("alertRules.commitSnapshot")(function* (
  previous: Pick<EvaluationSnapshot, "revision" | "documentId" | "previousDocumentId">,
  next: Omit<EvaluationSnapshot, "revision" | "documentId" | "previousDocumentId">,
) {
  yield* ensureIndexes;
  const store = yield* ReadModelStore;
  const key = keyOf(next);
  const revision = previous.revision + 1;
  const documentId = `${key}#${revision}#${crypto.randomUUID().slice(0, 8)}`;
  const committed: EvaluationSnapshot = { ...next, revision, documentId, previousDocumentId: previous.documentId };
  const raced = new EvaluationRaced({ key, revision });
  const writes = [
    { id: documentId, doc: toDocument(committed), create: true },
    ...(previous.previousDocumentId === undefined ? [] : [{ id: previous.previousDocumentId, doc: undefined }]),
  ];
  yield* batchedAccessOf(store)
    .commits.write(writes)
    .pipe(Effect.catchTag("ReadModelConstraintViolation", () => Effect.fail(raced)));
  if (committed.pending.length > 0 && (yield* newestDocumentId(key)) !== documentId) {
    yield* store.writeMany(evaluationStateCollection, [{ id: documentId, doc: undefined }]);
    return yield* raced;
  }
  return committed;
});

/**
 * Appends a revision's pending alert events to their stream. Their ids are fixed in the
 * revision, so appending again (after a crash, by another process) stores nothing twice.
 *
 * @example
 * const stored = yield* appendPending(snapshot);
 */
export const appendPending = Effect.fn("alertRules.appendPending")(function* (snapshot: EvaluationSnapshot) {
  if (snapshot.pending.length === 0) return [] as ReadonlyArray<EventEnvelope>;
  const writer = yield* EventWriter;
  return yield* writer.append(
    alertStreamId(snapshot.tenantId, snapshot.ruleId, snapshot.deviceId),
    "any",
    snapshot.pending,
  );
});

/**
 * Appends the pending events, then commits the same state without them, so later loads
 * need not append them again. Losing that second commit to another writer is fine: the
 * winner read this revision, so it appended them too.
 *
 * @example
 * yield* settlePending(committed);
 */
export const settlePending = Effect.fn("alertRules.settlePending")(function* (snapshot: EvaluationSnapshot) {
  if (snapshot.pending.length === 0) return snapshot;
  yield* appendPending(snapshot);
  const { revision: _revision, documentId: _documentId, previousDocumentId: _previous, ...state } = snapshot;
  return yield* commitSnapshot(snapshot, { ...state, pending: [] }).pipe(
    Effect.catchTag("EvaluationRaced", () => Effect.succeed(snapshot)),
  );
});
