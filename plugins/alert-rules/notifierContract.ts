/**
 * The notifier extension point. A notifier plugin contributes a `Notifier`: alert-rules
 * asks it for a tenant's targets when an alert event is worth telling (after silences),
 * records one NotificationRequested per target, and the notifier plugin delivers each in
 * its own consumer group (see `registerNotifier`), so a slow or failing destination never
 * delays evaluation or another notifier.
 */
import { type Effect, Schema } from "effect";
import { defineExtensionPoint, type PluginServices } from "../../core/index.ts";
import type { AlertNotification } from "./notificationEvents.ts";

/** One destination of a tenant (a webhook URL, a chat channel…), by the notifier's own id. */
export interface NotificationTarget {
  readonly targetId: string;
}

/** A delivery that worked: a short outcome for the NotificationDelivered event. */
export interface DeliveryReceipt {
  readonly outcome: string;
}

/**
 * A delivery that failed. `retryable: false` (a 4xx, a target deleted meanwhile) records
 * NotificationFailed and dead-letters at once; otherwise the consumer runner retries with
 * backoff and dead-letters after its last attempt.
 */
export class DeliveryFailed extends Schema.TaggedError<DeliveryFailed>()("DeliveryFailed", {
  reason: Schema.String,
  retryable: Schema.Boolean,
}) {}

/** Which delivery this is: `attempt` counts from 1 across retries and processes. */
export interface DeliveryAttempt {
  readonly requestId: string;
  readonly attempt: number;
}

/**
 * @example
 * const slackNotifier: Notifier = {
 *   id: "slack",
 *   targetsFor: (n) => Effect.succeed([{ targetId: "ops-channel" }]),
 *   deliver: (targetId, n, attempt) => postToSlack(targetId, n).pipe(Effect.as({ outcome: "ok" })),
 * };
 */
export interface Notifier {
  /** Lower-case id, unique among notifiers: "webhook". */
  readonly id: string;
  /** The tenant's destinations for this notification (none: nothing is requested). */
  readonly targetsFor: (
    notification: AlertNotification,
  ) => Effect.Effect<ReadonlyArray<NotificationTarget>, unknown, PluginServices>;
  /** Delivers to one destination. */
  readonly deliver: (
    targetId: string,
    notification: AlertNotification,
    attempt: DeliveryAttempt,
  ) => Effect.Effect<DeliveryReceipt, DeliveryFailed, PluginServices>;
}

/**
 * Declared by alert-rules; contribute with `registerNotifier(api, notifier)`.
 *
 * @example
 * api.extend(notifierExtensionPoint, myNotifier); // registerNotifier also subscribes its delivery
 */
export const notifierExtensionPoint = defineExtensionPoint<Notifier>("alert-rules/notifier");
