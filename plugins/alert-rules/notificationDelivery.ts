/**
 * Delivers NotificationRequested events of one notifier, in that notifier's plugin's own
 * consumer group. Each attempt is recorded on the request's stream: NotificationFailed
 * (then the consumer runner retries with backoff, and dead-letters after its last
 * attempt, or at once when retrying cannot help) or NotificationDelivered, once: a
 * request already delivered is not delivered again on redelivery or replay.
 */

import { Clock, Effect, Stream } from "effect";
import {
  type EventEnvelope,
  type EventOf,
  EventStore,
  EventWriter,
  PermanentFailure,
  type PluginApi,
  type TenantId,
} from "../../core/index.ts";
import { causeDerivedId } from "./causeDerivedId.ts";
import {
  NotificationDelivered,
  NotificationFailed,
  NotificationRequested,
  notificationStreamId,
} from "./notificationEvents.ts";
import { type Notifier, notifierExtensionPoint } from "./notifierContract.ts";

/** What the request's stream says so far. */
const deliveryHistory = (request: EventEnvelope) =>
  Effect.gen(function* () {
    const store = yield* EventStore;
    const events = yield* Stream.runCollect(store.readStream(notificationStreamId(request.tenantId, request.id)));
    return {
      delivered: events.some((event) => NotificationDelivered.is(event)),
      failures: events.filter((event) => NotificationFailed.is(event)).length,
    };
  });

/**
 * The handler that delivers `notifier`'s requests.
 *
 * @example
 * api.on(NotificationRequested, deliverNotification(webhookNotifier));
 */
export const deliverNotification = (notifier: Notifier) => (event: EventOf<typeof NotificationRequested>) =>
  Effect.gen(function* () {
    const { notifierId, targetId, notification } = event.payload;
    if (notifierId !== notifier.id) return;
    const request = event as unknown as EventEnvelope;
    const history = yield* deliveryHistory(request);
    if (history.delivered) return;
    const attempt = history.failures + 1;
    const writer = yield* EventWriter;
    const streamId = notificationStreamId(event.tenantId, event.id);
    const meta = (key: string) => ({
      tenantId: event.tenantId as TenantId,
      causedBy: request,
      id: causeDerivedId(request, key),
    });
    const common = { requestId: event.id, notifierId, targetId, alertEventId: notification.eventId, attempt };
    const started = yield* Clock.currentTimeMillis;
    const outcome = yield* Effect.result(notifier.deliver(targetId, notification, { requestId: event.id, attempt }));
    if (outcome._tag === "Success") {
      const durationMs = (yield* Clock.currentTimeMillis) - started;
      const delivered = NotificationDelivered.make(
        { ...common, outcome: outcome.success.outcome, durationMs },
        meta("delivered"),
      );
      yield* writer.append(streamId, "any", [delivered]);
      return;
    }
    const { reason, retryable } = outcome.failure;
    yield* writer.append(streamId, "any", [
      NotificationFailed.make({ ...common, reason, retryable }, meta(`failed/${attempt}`)),
    ]);
    return yield* retryable
      ? Effect.fail(outcome.failure)
      : Effect.fail(new PermanentFailure({ reason: `${notifierId} → ${targetId}: ${reason}` }));
  });

/**
 * Contributes a notifier and subscribes its deliveries in the calling plugin's consumer
 * group. Declare `dependsOn: ["alert-rules"]`.
 *
 * @example
 * export const slackPlugin = definePlugin({
 *   id: "slack-notifier",
 *   dependsOn: ["alert-rules"],
 *   register(api) { registerNotifier(api, slackNotifier); },
 * });
 */
export const registerNotifier = (api: PluginApi, notifier: Notifier): void => {
  api.extend(notifierExtensionPoint, notifier);
  api.on(NotificationRequested, deliverNotification(notifier));
};
