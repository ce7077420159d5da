/** What an evaluation decided about the (rule, device)'s alert; the plugin turns each into an event. */
import type { ObservedValue, Severity } from "./ruleFields.ts";

/** The condition matched (after `repeat`) and waits for `forSeconds` before raising. */
export interface AlertPendingTransition {
  readonly type: "AlertPending";
  readonly at: number;
  /** The severity it will be raised with unless escalated by then. */
  readonly severity: Severity;
  readonly value: ObservedValue;
}

/** A pending condition stopped matching before `forSeconds` passed: nothing is raised. */
export interface AlertPendingCancelledTransition {
  readonly type: "AlertPendingCancelled";
  readonly at: number;
  readonly value: ObservedValue;
}

/** The alert opened: one per (rule, device) until it resolves. */
export interface AlertRaisedTransition {
  readonly type: "AlertRaised";
  readonly at: number;
  readonly alertId: string;
  /** The rule's severity, or the escalation's when that already holds at the raise. */
  readonly severity: Severity;
  readonly value: ObservedValue;
  /** The reading that raised it; null when a tick did (absence, `forSeconds`, a time window). */
  readonly causeEventId: string | null;
}

/** The escalation condition held while open: the alert moves to the escalation severity (once). */
export interface AlertEscalatedTransition {
  readonly type: "AlertEscalated";
  readonly at: number;
  readonly alertId: string;
  readonly from: Severity;
  readonly to: Severity;
  readonly value: ObservedValue;
}

/** The clear condition held (by default: the condition stopped holding): the alert closed. */
export interface AlertResolvedTransition {
  readonly type: "AlertResolved";
  readonly at: number;
  readonly alertId: string;
  /** The worst value observed while open, and when. */
  readonly peak: ObservedValue;
  readonly peakAt: number;
  readonly durationMs: number;
}

/**
 * Transitions carry device time (`at`, epoch ms): the instant the change happened, not the
 * instant it was noticed, so ticks and backtests stamp them alike.
 *
 * @example
 * for (const transition of evaluate(rule, state, input).transitions) {
 *   if (transition.type === "AlertRaised") notify(transition.alertId, transition.severity);
 * }
 */
export type AlertTransition =
  | AlertPendingTransition
  | AlertPendingCancelledTransition
  | AlertRaisedTransition
  | AlertEscalatedTransition
  | AlertResolvedTransition;
