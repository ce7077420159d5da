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

const evaluateRuleOnReading = (cached: RuleDocument, reading: ReadingInput, deps: ReadingEvaluationDependencies) =>
  Effect.gen(function* () {
    const loaded = yield* loadSnapshot(cached.tenantId, cached.ruleId, reading.deviceId);
    const snapshot = Option.isSome(loaded) ? yield* settlePending(loaded.value) : freshSnapshot(cached, reading);
    const chosen = yield* ruleToUse(snapshot, cached, deps.lookup);
    if (Option.isNone(chosen)) return;
    const ruleDoc = chosen.value;
    const { streamId, streamVersion } = reading.cause;
    const position = positionOf(snapshot, streamId);
    if (streamVersion <= position) return;
    const missed = yield* readingsBetween(streamId, position + 1, streamVersion - 1, deps.decode);

    const closing: Array<PendingEvent> = [];
    let start = { engineState: snapshot.engineState, episode: snapshot.episode };
    if (snapshot.ruleVersion !== ruleDoc.version) {
      // The rule changed since this state was built: its episode ends, the state starts afresh.
      const context = contextFor(ruleDoc, reading.deviceId, reading.cause, "changed/");
      if (snapshot.episode !== null)
        closing.push(closeEpisode(snapshot.episode, "ruleChanged", reading.ts, context, 0));
      start = { engineState: initialState(ruleOf(ruleDoc)), episode: null };
    }
    const outcome = foldReadings(deps.types, ruleDoc, start.engineState, start.episode, [...missed, reading]);
    const committed = yield* commitSnapshot(snapshot, {
      tenantId: snapshot.tenantId,
      ruleId: snapshot.ruleId,
      deviceId: snapshot.deviceId,
      ruleVersion: ruleDoc.version,
      engineState: outcome.engineState,
      positions: withPosition(snapshot.positions, streamId, streamVersion),
      episode: outcome.episode,
      pending: [...closing, ...outcome.events],
    });
    yield* settlePending(committed);
  }).pipe(Effect.retry({ times: raceRetries, while: (error) => error instanceof EvaluationRaced }));

/**
 * The TelemetryRecorded (or TelemetryEnriched) handler's work for one reading.
 *
 * @example
 * api.on(TelemetryRecorded, (event) => evaluateReading(readingOf(event, "recorded"), deps));
 */
export const evaluateReading = Effect.fn("alertRules.evaluateReading")(function* (
  reading: ReadingInput,
  deps: ReadingEvaluationDependencies,
) {
  if (Number.isNaN(reading.ts)) return;
  const rules = yield* deps.lookup.rulesFor(reading.cause.tenantId, reading.deviceId, reading.source);
  yield* Effect.forEach(rules, (rule) => evaluateRuleOnReading(rule, reading, deps), { discard: true });
});
