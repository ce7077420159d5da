/**
 * The alert lifecycle of one (rule, device) at one evaluation instant: count matches
 * (`repeat`), wait (`forSeconds`), raise, follow the peak, escalate, and resolve on the
 * clear condition (hysteresis). One alert at most is open at a time.
 */
import type { AlertTransition } from "./alertTransition.ts";
import type { ConditionContext, ConditionResult } from "./conditionDefinition.ts";
import type { OpenAlert, RuleDeviceState } from "./ruleDeviceState.ts";
import { type Severity, secondsToMs, severityRank } from "./ruleFields.ts";
import type { Rule } from "./ruleSchema.ts";

/** A state and what changed on the way to it. */
export interface LifecycleStep {
  readonly state: RuleDeviceState;
  readonly transitions: ReadonlyArray<AlertTransition>;
}

const escalationApplies = (rule: Rule, severity: Severity): boolean =>
  rule.escalation !== undefined && severityRank(rule.escalation.severity) > severityRank(severity);

/** A new peak when this result is worse (larger excess) than the one recorded. */
const withPeak = (open: OpenAlert, result: ConditionResult, now: number): OpenAlert =>
  result.excess !== undefined && (open.peakExcess === undefined || result.excess > open.peakExcess)
    ? { ...open, peak: result.value, peakAt: now, peakExcess: result.excess }
    : open;

/** `rule:device:raisedAt`, with `#n` for the n-th alert raised at one same instant. */
const alertIdFor = (rule: Rule, state: RuleDeviceState, now: number) => {
  const count = state.lastRaise?.at === now ? state.lastRaise.count + 1 : 1;
  const base = `${rule.ruleId}:${state.deviceId ?? ""}:${now}`;
  return { alertId: count === 1 ? base : `${base}#${count}`, lastRaise: { at: now, count } };
};

const raise = (
  rule: Rule,
  state: RuleDeviceState,
  result: ConditionResult,
  context: ConditionContext,
  causeEventId: string | null,
): LifecycleStep => {
  const now = context.now;
  const escalated =
    rule.escalation !== undefined &&
    escalationApplies(rule, rule.severity) &&
    context.evaluate(rule.escalation.condition).holds === true;
  const severity = escalated && rule.escalation !== undefined ? rule.escalation.severity : rule.severity;
  const { alertId, lastRaise } = alertIdFor(rule, state, now);
  const { pendingSince: _pending, ...rest } = state;
  const open: OpenAlert = {
    alertId,
    raisedAt: now,
    severity,
    peak: result.value,
    peakAt: now,
    ...(result.excess === undefined ? {} : { peakExcess: result.excess }),
  };
  return {
    state: { ...rest, open, lastRaise },
    transitions: [{ type: "AlertRaised", at: now, alertId, severity, value: result.value, causeEventId }],
  };
};

const whileClosed = (
  rule: Rule,
  state: RuleDeviceState,
  result: ConditionResult,
  context: ConditionContext,
  causeEventId: string | null,
): LifecycleStep => {
  const now = context.now;
  const repeat = rule.repeat ?? 1;
  const matches = result.holds === true ? Math.min(state.consecutiveMatches + 1, repeat) : 0;
  const counted: RuleDeviceState = { ...state, consecutiveMatches: matches };
  if (matches < repeat) {
    if (counted.pendingSince === undefined) return { state: counted, transitions: [] };
    const { pendingSince: _cancelled, ...rest } = counted;
    return { state: rest, transitions: [{ type: "AlertPendingCancelled", at: now, value: result.value }] };
  }
  const pendingSince = counted.pendingSince ?? now;
  if (now - pendingSince >= secondsToMs(rule.forSeconds ?? 0)) {
    return raise(rule, counted, result, context, causeEventId);
  }
  if (counted.pendingSince !== undefined) return { state: counted, transitions: [] };
  return {
    state: { ...counted, pendingSince: now },
    transitions: [{ type: "AlertPending", at: now, severity: rule.severity, value: result.value }],
  };
};

const whileOpen = (
  rule: Rule,
  state: RuleDeviceState,
  open: OpenAlert,
  context: ConditionContext,
  raiseResult: ConditionResult,
): LifecycleStep => {
  const now = context.now;
  const peaked = withPeak(open, raiseResult, now);
  const cleared = rule.clear === undefined ? raiseResult.holds === false : context.evaluate(rule.clear).holds === true;
  if (cleared) {
    const { open: _resolved, ...rest } = state;
    const resolved: AlertTransition = {
      type: "AlertResolved",
      at: now,
      alertId: peaked.alertId,
      peak: peaked.peak,
      peakAt: peaked.peakAt,
      durationMs: now - peaked.raisedAt,
    };
    return { state: { ...rest, consecutiveMatches: 0 }, transitions: [resolved] };
  }
  const escalation = rule.escalation;
  if (escalation === undefined || !escalationApplies(rule, peaked.severity)) {
    return { state: { ...state, open: peaked }, transitions: [] };
  }
  const result = context.evaluate(escalation.condition);
  if (result.holds !== true) return { state: { ...state, open: peaked }, transitions: [] };
  return {
    state: { ...state, open: { ...peaked, severity: escalation.severity } },
    transitions: [
      {
        type: "AlertEscalated",
        at: now,
        alertId: peaked.alertId,
        from: peaked.severity,
        to: escalation.severity,
        value: result.value,
      },
    ],
  };
};

/**
 * Evaluates the rule at `context.now` and moves its alert along. `causeEventId` is the
 * reading being evaluated, or null for an instant reached by a tick.
 *
 * @example
 * const step = evaluateAt(rule, state, makeConditionContext(state, state.clock, registry), reading.eventId);
 */
export const evaluateAt = (
  rule: Rule,
  state: RuleDeviceState,
  context: ConditionContext,
  causeEventId: string | null,
): LifecycleStep => {
  const result = context.evaluate(rule.condition);
  return state.open === undefined
    ? whileClosed(rule, state, result, context, causeEventId)
    : whileOpen(rule, state, state.open, context, result);
};

/**
 * The next instant after `context.now` at which evaluating the rule may change something
 * with no new reading: the end of `forSeconds`, or a change of the condition that matters
 * now (the raise condition while closed; the clear and escalation conditions while open).
 *
 * @example
 * nextDeadline(rule, state, makeConditionContext(state, state.clock, registry)) // e.g. pendingSince + forSeconds
 */
export const nextDeadline = (rule: Rule, state: RuleDeviceState, context: ConditionContext): number | undefined => {
  const open = state.open;
  const candidates =
    open === undefined
      ? [
          state.pendingSince === undefined ? undefined : state.pendingSince + secondsToMs(rule.forSeconds ?? 0),
          context.nextChange(rule.condition),
        ]
      : [
          context.nextChange(rule.clear ?? rule.condition),
          rule.escalation !== undefined && escalationApplies(rule, open.severity)
            ? context.nextChange(rule.escalation.condition)
            : undefined,
        ];
  return candidates.reduce<number | undefined>(
    (earliest, candidate) =>
      candidate === undefined || candidate <= context.now || (earliest !== undefined && earliest <= candidate)
        ? earliest
        : candidate,
    undefined,
  );
};
