/**
 * Notifications (family `notifications`, stream `notification-<tenantId>-<requestId>`):
 * for each alert lifecycle event worth telling, one NotificationRequested per (notifier,
 * target); its delivery attempts follow on the same stream: NotificationFailed per failed
 * attempt, NotificationDelivered once. A silenced alert gets one NotificationSuppressed
 * instead of requests.
 */
import { Schema } from "effect";
import { defineEvent, type StreamId } from "../../core/index.ts";
import { Severity } from "./alertEvents.ts";

/**
 * @example
 * notificationStreamId("acme", request.id) // "notification-acme-0193…"
 */
export const notificationStreamId = (tenantId: string, requestId: string): StreamId =>
  `notification-${tenantId}-${requestId}` as StreamId;

/** What a notifier is told: the alert event, flattened for receivers. */
export const AlertNotification = Schema.Struct({
  /** The alert lifecycle event this notification is about (receivers dedupe on it). */
  eventId: Schema.String,
  eventType: Schema.Literals(["AlertRaised", "AlertEscalated", "AlertAcknowledged", "AlertResolved"]),
  tenantId: Schema.String,
  alertId: Schema.String,
  ruleId: Schema.String,
  ruleName: Schema.String,
  deviceId: Schema.String,
  severity: Severity,
  /** Device time of the transition (acknowledgements: wall time), ISO 8601. */
  at: Schema.String,
  value: Schema.Union([Schema.Finite, Schema.String, Schema.Boolean, Schema.Null]),
  /** Human-readable one-liner. */
  summary: Schema.String,
});
export type AlertNotification = typeof AlertNotification.Type;

/**
 * One notification for one target of one notifier; delivered by that notifier's plugin.
 *
 * @example
 * api.on(NotificationRequested, deliverNotification(myNotifier)); // registerNotifier does this
 */
export const NotificationRequested = defineEvent({
  type: "NotificationRequested",
  family: "notifications",
  payload: Schema.Struct({
    notifierId: Schema.String,
    targetId: Schema.String,
    notification: AlertNotification,
  }),
});

/**
 * A delivery that worked (once per request).
 *
 * @example
 * api.on(NotificationDelivered, (event) => Effect.log(`${event.payload.targetId}: ${event.payload.outcome}`));
 */
export const NotificationDelivered = defineEvent({
  type: "NotificationDelivered",
  family: "notifications",
  payload: Schema.Struct({
    requestId: Schema.String,
    notifierId: Schema.String,
    targetId: Schema.String,
    alertEventId: Schema.String,
    attempt: Schema.Int,
    /** What the target answered, e.g. "HTTP 200". */
    outcome: Schema.String,
    durationMs: Schema.Finite,
  }),
});

/**
 * One failed attempt; the request is retried unless `retryable` is false.
 *
 * @example
 * api.on(NotificationFailed, (event) => Effect.logWarning(`attempt ${event.payload.attempt}: ${event.payload.reason}`));
 */
export const NotificationFailed = defineEvent({
  type: "NotificationFailed",
  family: "notifications",
  payload: Schema.Struct({
    requestId: Schema.String,
    notifierId: Schema.String,
    targetId: Schema.String,
    alertEventId: Schema.String,
    attempt: Schema.Int,
    reason: Schema.String,
    /** False when retrying cannot help: the request is dead-lettered at once. */
    retryable: Schema.Boolean,
  }),
});

/**
 * An alert event a silence kept from being notified.
 *
 * @example
 * api.on(NotificationSuppressed, (event) => Effect.log(`silenced by ${event.payload.silenceId}`));
 */
export const NotificationSuppressed = defineEvent({
  type: "NotificationSuppressed",
  family: "notifications",
  payload: Schema.Struct({
    alertEventId: Schema.String,
    alertId: Schema.String,
    silenceId: Schema.String,
  }),
});

/** Every notification event, for `api.events(...)`. */
export const notificationEvents = [
  NotificationRequested,
  NotificationDelivered,
  NotificationFailed,
  NotificationSuppressed,
] as const;
