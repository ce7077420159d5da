/**
 * The timer that drives absence conditions and `forSeconds` when no data arrives: every
 * few seconds, each (rule, device) state of every enabled rule that needs ticks is
 * evaluated with `{ kind: "tick", now }`, now = wall clock − lag (the tolerance for late
 * readings: device time is not assumed to run ahead of what may still arrive). Ticks
 * commit through the same revisions as readings, so a tick and a reading, or the tickers
 * of several workers, never both decide for the same state.
 */
import { Clock, Duration, Effect, Schedule } from "effect";
import { derivedEventId, ReadModelStore, type TenantId } from "../../core/index.ts";
import { alertEventsFor, type TransitionContext } from "./alertTransitions.ts";
import type { ConditionTypes } from "./conditionTypes.ts";
import { evaluate } from "./engineApi.ts";
import {
  commitSnapshot,
  type EvaluationSnapshot,
  loadRuleSnapshots,
  settlePending,
  stateKey,
} from "./evaluationState.ts";
import { type RuleDocument, ruleOf, rulesCollection } from "./rulesProjection.ts";

export interface TickerOptions {
  /** Time between ticks (default 5 s). */
  readonly intervalMs: number;
  /** How far behind the wall clock device time is assumed to be (default 60 s, the engine's late tolerance). */
  readonly lagMs: number;
}

/** Every 5 s, 60 s behind the wall clock (the engine's late tolerance). */
export const defaultTickerOptions: TickerOptions = { intervalMs: 5_000, lagMs: 60_000 };

const tickContext = (ruleDoc: RuleDocument, snapshot: EvaluationSnapshot, now: number): TransitionContext => ({
  tenantId: ruleDoc.tenantId as TenantId,
  ruleId: ruleDoc.ruleId,
  ruleName: ruleDoc.name,
  ruleVersion: ruleDoc.version,
  deviceId: snapshot.deviceId,
  causedBy: undefined,
  // Fixed in the revision that decides them, so a retried append stores them once.
  eventIdAt: (index) =>
    derivedEventId(
      `tick/${stateKey(ruleDoc.tenantId, ruleDoc.ruleId, snapshot.deviceId)}/${snapshot.revision + 1}/${index}`,
      now,
    ),
});

/**
 * One tick of one state; what it committed, if anything (losing to a concurrent writer
 * leaves it to the next tick).
 *
 * @example
 * yield* tickState(ruleDoc, snapshot, Date.now() - 60_000, types);
 */
export const tickState = Effect.fn("alertRules.tickState")(
  function* (ruleDoc: RuleDocument, loaded: EvaluationSnapshot, now: number, types: ConditionTypes) {
    const snapshot = yield* settlePending(loaded);
    // A state of another rule version waits for its next reading (or the lifecycle handler).
    if (snapshot.ruleVersion !== ruleDoc.version) return undefined;
    const result = evaluate(ruleOf(ruleDoc), snapshot.engineState, { kind: "tick", now }, types.registry());
    const context = tickContext(ruleDoc, snapshot, now);
    const { events, episode } = alertEventsFor(result.transitions, snapshot.episode, context);
    if (events.length === 0 && JSON.stringify(result.state) === JSON.stringify(snapshot.engineState)) return undefined;
    const { revision: _r, documentId: _d, previousDocumentId: _p, ...kept } = snapshot;
    const committed = yield* commitSnapshot(snapshot, { ...kept, engineState: result.state, episode, pending: events });
    return yield* settlePending(committed);
  },
  Effect.catchTag("EvaluationRaced", () => Effect.succeed(undefined)),
);

/**
 * One tick over every enabled rule that needs ticks, across tenants.
 *
 * @example
 * yield* tickAlertRules(Date.now() - 60_000, types);
 */
export const tickAlertRules = Effect.fn("alertRules.tick")(function* (now: number, types: ConditionTypes) {
  const store = yield* ReadModelStore;
  const enabled = (yield* store.find(rulesCollection, { enabled: true })) as unknown as ReadonlyArray<RuleDocument>;
  const rules = enabled.filter((ruleDoc) => {
    const facts = types.factsOf(ruleOf(ruleDoc));
    return facts.evaluable && facts.needsTicks;
  });
  let committed = 0;
  yield* Effect.forEach(
    rules,
    (ruleDoc) =>
      Effect.gen(function* () {
        const snapshots = yield* loadRuleSnapshots(ruleDoc.tenantId, ruleDoc.ruleId);
        for (const snapshot of snapshots) {
          if ((yield* tickState(ruleDoc, snapshot, now, types)) !== undefined) committed++;
        }
      }),
    { concurrency: 4, discard: true },
  );
  return { rules: rules.length, committed };
});

/**
 * Ticks forever, every `intervalMs`; a failed tick is logged and the next one tries again.
 * Run it in a worker process (see README.md, "Timers").
 *
 * @example
 * yield* Effect.forkDetach(runAlertTicker(types, defaultTickerOptions));
 */
export const runAlertTicker = (types: ConditionTypes, options: TickerOptions = defaultTickerOptions) =>
  Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis;
    yield* tickAlertRules(now - options.lagMs, types);
  }).pipe(
    Effect.catchCause((cause) => Effect.logWarning("alert-rules: tick failed", cause)),
    Effect.repeat(Schedule.spaced(Duration.millis(options.intervalMs))),
    Effect.asVoid,
  );
