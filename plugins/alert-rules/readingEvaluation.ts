/**
 * Evaluates a reading against each enabled rule whose scope covers its device: load the
 * (rule, device) state, skip what it already applied, fold in readings a late delivery
 * left out, run the engine, commit the new state with the alert events it decided, then
 * append those events. Redelivery, a crash at any point, a restart or a rebalance give the
 * same alerts once (see evaluationState.ts and README.md, "Exactly once").
 */

import { Effect, Option } from "effect";
import type { EventEnvelope, PendingEvent } from "../../core/index.ts";
import { alertEventsFor, closeEpisode, type TransitionContext } from "./alertTransitions.ts";
import { causeDerivedId } from "./causeDerivedId.ts";
import type { ConditionTypes } from "./conditionTypes.ts";
import { evaluate, initialState, type RuleDeviceState } from "./engineApi.ts";
import {
  commitSnapshot,
  type Episode,
  EvaluationRaced,
  type EvaluationSnapshot,
  loadSnapshot,
  positionOf,
  settlePending,
  withPosition,
} from "./evaluationState.ts";
import type { RuleLookup } from "./ruleLookup.ts";
import { type RuleDocument, ruleOf } from "./rulesProjection.ts";
import { engineInputOf, type ReadingDecoder, type ReadingInput, readingsBetween } from "./telemetryInputs.ts";

export interface ReadingEvaluationDependencies {
  readonly lookup: RuleLookup;
  readonly types: ConditionTypes;
  /** Decodes stored events of the subscribed type, to fill gaps. */
  readonly decode: ReadingDecoder;
}

/** Commits lost to a concurrent writer are retried this many times before the handler fails. */
const raceRetries = 8;

/**
 * The context for events caused by `cause`: ids derived from the cause and
 * `<ruleId>/<seed><n>`, so a redelivered cause decides the same ids.
 *
 * @example
 * const context = contextFor(ruleDoc, "pump-1", reading.cause, "");
 */
export const contextFor = (
  ruleDoc: Pick<RuleDocument, "tenantId" | "ruleId" | "name" | "version">,
  deviceId: string,
  cause: EventEnvelope,
  seed: string,
): TransitionContext => ({
  tenantId: ruleDoc.tenantId,
  ruleId: ruleDoc.ruleId,
  ruleName: ruleDoc.name,
  ruleVersion: ruleDoc.version,
  deviceId,
  causedBy: cause,
  eventIdAt: (index) => causeDerivedId(cause, `${ruleDoc.ruleId}/${seed}${index}`),
});

/** What folding some readings into a state decided. */
export interface FoldOutcome {
  readonly engineState: RuleDeviceState;
  readonly episode: Episode | null;
  readonly events: ReadonlyArray<PendingEvent>;
}

/**
 * Runs the engine over readings in order, collecting the alert events.
 *
 * @example
 * const outcome = foldReadings(types, ruleDoc, snapshot.engineState, snapshot.episode, [reading]);
 */
export const foldReadings = (
  types: ConditionTypes,
  ruleDoc: RuleDocument,
  engineState: RuleDeviceState,
  episode: Episode | null,
  readings: ReadonlyArray<ReadingInput>,
): FoldOutcome => {
  const rule = ruleOf(ruleDoc);
  let state = engineState;
  let current = episode;
  const events: Array<PendingEvent> = [];
  for (const reading of readings) {
    const context = contextFor(ruleDoc, reading.deviceId, reading.cause, "");
    const result = evaluate(rule, state, engineInputOf(reading), types.registry());
    const decision = alertEventsFor(result.transitions, current, context);
    events.push(...decision.events);
    state = result.state;
    current = decision.episode;
  }
  return { engineState: state, episode: current, events };
};

const freshSnapshot = (ruleDoc: RuleDocument, reading: ReadingInput): EvaluationSnapshot => ({
  tenantId: ruleDoc.tenantId,
  ruleId: ruleDoc.ruleId,
  deviceId: reading.deviceId,
  revision: 0,
  ruleVersion: ruleDoc.version,
  engineState: initialState(ruleOf(ruleDoc)),
  // State starts at the first reading seen: earlier history is not replayed.
  positions: [{ streamId: reading.cause.streamId, version: reading.cause.streamVersion - 1 }],
  episode: null,
  pending: [],
  documentId: undefined,
  previousDocumentId: undefined,
});

/** The rule to evaluate with: the cached one, or the current one when the state is newer than the cache. */
const ruleToUse = (snapshot: EvaluationSnapshot, cached: RuleDocument, lookup: RuleLookup) =>
  snapshot.ruleVersion <= cached.version
    ? Effect.succeed(Option.some(cached))
    : Effect.map(lookup.currentRule(cached.tenantId, cached.ruleId), (current) =>
        current?.enabled && current.version >= snapshot.ruleVersion
          ? Option.some(current)
          : Option.none<RuleDocument>(),
      );

/**
 * Folds one device's readings (in stream order) into its (rule, device) state: one load
 * and one commit for them all. Readings the state already applied are skipped; before
 * each new one, what a late delivery left out of its stream is read from the store.
 */
const evaluateRuleOnReadings = (
  cached: RuleDocument,
  readings: ReadonlyArray<ReadingInput>,
  deps: ReadingEvaluationDependencies,
) =>
  Effect.gen(function* () {
    const [first] = readings;
    if (first === undefined) return;
    const loaded = yield* loadSnapshot(cached.tenantId, cached.ruleId, first.deviceId);
    const snapshot = Option.isSome(loaded) ? yield* settlePending(loaded.value) : freshSnapshot(cached, first);
    const chosen = yield* ruleToUse(snapshot, cached, deps.lookup);
    if (Option.isNone(chosen)) return;
    const ruleDoc = chosen.value;
    let positions = snapshot.positions;
    const unapplied: Array<ReadingInput> = [];
    const toFold: Array<ReadingInput> = [];
    for (const reading of readings) {
      const { streamId, streamVersion } = reading.cause;
      const position = positionOf({ positions }, streamId);
      if (streamVersion <= position) continue;
      toFold.push(...(yield* readingsBetween(streamId, position + 1, streamVersion - 1, deps.decode)), reading);
      unapplied.push(reading);
      positions = withPosition(positions, streamId, streamVersion);
    }
    const [noticedAt] = unapplied;
    if (noticedAt === undefined) return;

    const closing: Array<PendingEvent> = [];
    let start = { engineState: snapshot.engineState, episode: snapshot.episode };
    if (snapshot.ruleVersion !== ruleDoc.version) {
      // The rule changed since this state was built: its episode ends, the state starts afresh.
      const context = contextFor(ruleDoc, noticedAt.deviceId, noticedAt.cause, "changed/");
      if (snapshot.episode !== null)
        closing.push(closeEpisode(snapshot.episode, "ruleChanged", noticedAt.ts, context, 0));
      start = { engineState: initialState(ruleOf(ruleDoc)), episode: null };
    }
    const outcome = foldReadings(deps.types, ruleDoc, start.engineState, start.episode, toFold);
    const committed = yield* commitSnapshot(snapshot, {
      tenantId: snapshot.tenantId,
      ruleId: snapshot.ruleId,
      deviceId: snapshot.deviceId,
      ruleVersion: ruleDoc.version,
      engineState: outcome.engineState,
      positions,
      episode: outcome.episode,
      pending: [...closing, ...outcome.events],
    });
    yield* settlePending(committed);
  }).pipe(Effect.retry({ times: raceRetries, while: (error) => error instanceof EvaluationRaced }));

/** Readings per (tenant, device, source), each group in the order given. */
const byDevice = (readings: ReadonlyArray<ReadingInput>): ReadonlyArray<ReadonlyArray<ReadingInput>> => {
  const groups = new Map<string, Array<ReadingInput>>();
  for (const reading of readings) {
    const key = `${reading.cause.tenantId}|${reading.deviceId}|${reading.source}`;
    groups.set(key, [...(groups.get(key) ?? []), reading]);
  }
  return [...groups.values()];
};

/**
 * The TelemetryRecorded (or TelemetryEnriched) handler's work for a run of readings (one
 * stream's consecutive events from a consumer batch): each enabled rule covering the
 * device folds them all into its state with one load and one commit.
 *
 * @example
 * api.onRun(TelemetryRecorded, (events) => evaluateReadings(events.map((e) => readingOf(e, "recorded")), deps));
 */
export const evaluateReadings = Effect.fn("alertRules.evaluateReadings")(function* (
  readings: ReadonlyArray<ReadingInput>,
  deps: ReadingEvaluationDependencies,
) {
  for (const group of byDevice(readings.filter((reading) => !Number.isNaN(reading.ts)))) {
    const [first] = group;
    if (first === undefined) continue;
    const recordedAt = Math.max(...group.map((reading) => Date.parse(reading.cause.recordedAt)));
    const rules = yield* deps.lookup.rulesFor(first.cause.tenantId, first.deviceId, first.source, recordedAt);
    yield* Effect.forEach(rules, (rule) => evaluateRuleOnReadings(rule, group, deps), { discard: true });
  }
});

/**
 * One reading's evaluation (a run of one).
 *
 * @example
 * yield* evaluateReading(readingOf(event, "recorded"), deps);
 */
export const evaluateReading = (reading: ReadingInput, deps: ReadingEvaluationDependencies) =>
  evaluateReadings([reading], deps);
