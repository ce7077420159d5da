/**
 * The alert lifecycle as events (family `alerts`, stream `alert-<tenantId>-<ruleId>-<deviceId>`):
 * one stream per (rule, device) holds every episode of that pair in order, at most one
 * open at a time. `alertId` names an episode: the id of the event that opened it
 * (AlertPending, or AlertRaised when the rule has no `forSeconds`).
 */
import { Schema } from "effect";
import { defineEvent, derivedEventId, type StreamId } from "../../core/index.ts";

/**
 * @example
 * Schema.decodeUnknownSync(Severity)("major")
 */
export const Severity = Schema.Literals(["critical", "major", "minor", "warning", "info"]);
export type Severity = typeof Severity.Type;

/** A value an alert reports: a reading value, or a JSON rendering of anything richer. */
export const AlertValue = Schema.Union([Schema.Finite, Schema.String, Schema.Boolean, Schema.Null]);
export type AlertValue = typeof AlertValue.Type;

/**
 * The value as events store it: scalars stay, non-finite numbers and structures become text.
 *
 * @example
 * alertValueOf({ left: 30, right: 12 }) // '{"left":30,"right":12}'
 */
export const alertValueOf = (value: unknown): AlertValue => {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "string" || typeof value === "boolean") return value;
  return JSON.stringify(value) ?? null;
};

const Episode = {
  alertId: Schema.String,
  ruleId: Schema.String,
  deviceId: Schema.String,
};

/** Why an episode ended. */
export const ResolveReason = Schema.Literals([
  "cleared",
  "pendingCancelled",
  "ruleChanged",
  "ruleDisabled",
  "ruleDeleted",
]);
export type ResolveReason = typeof ResolveReason.Type;

/**
 * The condition holds but `forSeconds` has not passed yet. `at` is device time (ISO).
 *
 * @example
 * api.on(AlertPending, (event) => Effect.log(`${event.payload.deviceId} pending since ${event.payload.at}`));
 */
export const AlertPending = defineEvent({
  type: "AlertPending",
  family: "alerts",
  payload: Schema.Struct({
    ...Episode,
    ruleName: Schema.String,
    ruleVersion: Schema.Int,
    severity: Severity,
    at: Schema.String,
    value: AlertValue,
  }),
});

/**
 * The alert fires. `causeEventId` is the reading that raised it (null when a timer did).
 *
 * @example
 * api.on(AlertRaised, (event) => Effect.log(`${event.payload.severity}: ${event.payload.ruleName} on ${event.payload.deviceId}`));
 */
export const AlertRaised = defineEvent({
  type: "AlertRaised",
  family: "alerts",
  payload: Schema.Struct({
    ...Episode,
    ruleName: Schema.String,
    ruleVersion: Schema.Int,
    severity: Severity,
    at: Schema.String,
    value: AlertValue,
    causeEventId: Schema.NullOr(Schema.String),
  }),
});

/**
 * While open, the rule's escalation condition held: the severity changes.
 *
 * @example
 * api.on(AlertEscalated, (event) => Effect.log(`${event.payload.from} → ${event.payload.to}`));
 */
export const AlertEscalated = defineEvent({
  type: "AlertEscalated",
  family: "alerts",
  payload: Schema.Struct({
    ...Episode,
    from: Severity,
    to: Severity,
    at: Schema.String,
    value: AlertValue,
    /** The rule's name (events stored before it was added lack it). */
    ruleName: Schema.optionalKey(Schema.String),
  }),
});

/**
 * Someone took the alert: `by` is who (the API key id, and a name when given), `at` wall time.
 *
 * @example
 * AlertAcknowledged.make({ alertId, ruleId, deviceId, by: "key:3f2a…", at: new Date().toISOString() }, { tenantId })
 */
export const AlertAcknowledged = defineEvent({
  type: "AlertAcknowledged",
  family: "alerts",
  payload: Schema.Struct({
    ...Episode,
    by: Schema.String,
    at: Schema.String,
    comment: Schema.optionalKey(Schema.String),
  }),
});

/**
 * The episode ended; `peak` is the worst value seen while it was open.
 *
 * @example
 * api.on(AlertResolved, (event) => Effect.log(`resolved (${event.payload.reason}) after ${event.payload.durationMs} ms`));
 */
export const AlertResolved = defineEvent({
  type: "AlertResolved",
  family: "alerts",
  payload: Schema.Struct({
    ...Episode,
    at: Schema.String,
    peak: AlertValue,
    peakAt: Schema.String,
    durationMs: Schema.Finite,
    reason: ResolveReason,
    /** The rule's name and the episode's last severity, so notifiers need no lookup (older events lack them). */
    ruleName: Schema.optionalKey(Schema.String),
    severity: Schema.optionalKey(Severity),
  }),
});

/** Every alert lifecycle event, for `api.events(...)` and registries. */
export const alertEvents = [AlertPending, AlertRaised, AlertEscalated, AlertAcknowledged, AlertResolved] as const;

const maxStreamIdLength = 200;

/**
 * The stream of a (rule, device) pair. Ids too long for a stream id are shortened to a
 * stable digest of the three parts.
 *
 * @example
 * alertStreamId("acme", "hot-pumps", "pump-1") // "alert-acme-hot-pumps-pump-1"
 */
export const alertStreamId = (tenantId: string, ruleId: string, deviceId: string): StreamId => {
  const plain = `alert-${tenantId}-${ruleId}-${deviceId}`;
  if (plain.length <= maxStreamIdLength) return plain as StreamId;
  return `alert-${tenantId.slice(0, 100)}-${derivedEventId(`${tenantId}|${ruleId}|${deviceId}`, 0)}` as StreamId;
};
