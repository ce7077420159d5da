/**
 * The evaluation state of one (rule, device): small, JSON-serialisable, and the same after
 * a JSON round trip, so it can be snapshotted and restored across restarts. Values are kept
 * in an array (not keyed by reading key) so a snapshot is also a valid MongoDB document.
 */
import { Schema } from "effect";
import { ObservedValue, ReadingValue, Severity } from "./ruleFields.ts";

/** One value the rule reads: its newest reading and, when a window needs them, recent numeric samples. */
export const TrackedValue = Schema.Struct({
  source: Schema.Literals(["reading", "enrichment"]),
  key: Schema.String,
  /** `[device ms, value]` of the newest reading carrying this key. */
  latest: Schema.optionalKey(Schema.Tuple([Schema.Finite, ReadingValue])),
  /** `[device ms, value]` numeric samples in device-time order, pruned to what the rule's windows need. */
  window: Schema.Array(Schema.Tuple([Schema.Finite, Schema.Finite])),
});
export type TrackedValue = typeof TrackedValue.Type;

/** The alert currently open for this (rule, device): at most one. */
export const OpenAlert = Schema.Struct({
  alertId: Schema.String,
  raisedAt: Schema.Finite,
  severity: Severity,
  /** The worst value observed while open (by the raise condition's excess), and when. */
  peak: ObservedValue,
  peakAt: Schema.Finite,
  peakExcess: Schema.optionalKey(Schema.Finite),
});
export type OpenAlert = typeof OpenAlert.Type;

/**
 * @example
 * const snapshot = JSON.stringify(result.state);
 * const restored = Schema.decodeUnknownSync(RuleDeviceState)(JSON.parse(snapshot));
 */
export const RuleDeviceState = Schema.Struct({
  /** The device this state belongs to: set by its first reading. */
  deviceId: Schema.optionalKey(Schema.String),
  /** Device time of the first reading: absence of a key never seen counts from here. */
  observingSince: Schema.optionalKey(Schema.Finite),
  /** Device time of the latest evaluation: the newest reading or the last instant a tick evaluated. */
  clock: Schema.optionalKey(Schema.Finite),
  /** Device time of the newest reading. */
  lastSeenTs: Schema.optionalKey(Schema.Finite),
  tracked: Schema.Array(TrackedValue),
  /** Consecutive evaluations at which the condition held (capped at the rule's `repeat`). */
  consecutiveMatches: Schema.Int,
  /** Set while the condition holds but `forSeconds` has not passed yet. */
  pendingSince: Schema.optionalKey(Schema.Finite),
  open: Schema.optionalKey(OpenAlert),
  /** The last alert raised, and how many were raised at that same instant (keeps alert ids unique). */
  lastRaise: Schema.optionalKey(Schema.Struct({ at: Schema.Finite, count: Schema.Int })),
  /** Redelivery of the event just evaluated changes nothing. */
  lastEvaluatedEventId: Schema.optionalKey(Schema.String),
  /** Readings older than the clock minus the late tolerance: counted, not evaluated. */
  ignoredLateReadings: Schema.Int,
});
export type RuleDeviceState = typeof RuleDeviceState.Type;

/**
 * A fresh state for one (rule, device): nothing seen, nothing open.
 *
 * @example
 * const state = emptyRuleDeviceState(); // { tracked: [], consecutiveMatches: 0, ignoredLateReadings: 0 }
 */
export const emptyRuleDeviceState = (): RuleDeviceState => ({
  tracked: [],
  consecutiveMatches: 0,
  ignoredLateReadings: 0,
});
