/**
 * The webhook notifier plugin: per-tenant webhook targets over the API, and a notifier
 * contributed to alert-rules' notifier extension point that POSTs signed JSON to them,
 * retried with backoff and dead-lettered, every attempt recorded (NotificationDelivered /
 * NotificationFailed). Deliveries run in this plugin's own consumer group. See README.md.
 */
import { definePlugin } from "../../core/index.ts";
import { registerNotifier } from "../alert-rules/index.ts";
import { webhookEvents } from "./webhookEvents.ts";
import { makeWebhookNotifier } from "./webhookNotifier.ts";
import { webhookOperations } from "./webhookOperations.ts";
import { webhookRoutes } from "./webhookRoutes.ts";
import { readWebhookSettings } from "./webhookSettings.ts";
import { webhookTargetsProjection } from "./webhookTargetsProjection.ts";

export { WebhookEventType, WebhookTargetCreated, WebhookTargetDeleted } from "./webhookEvents.ts";
export { makeWebhookNotifier, webhookBody } from "./webhookNotifier.ts";
export { readWebhookSettings, type WebhookSettings } from "./webhookSettings.ts";
export { signWebhookBody, verifyWebhookSignature, webhookHeaders } from "./webhookSignature.ts";
export { type WebhookTargetDocument, webhookTargetsProjection } from "./webhookTargetsProjection.ts";
export { checkWebhookUrl } from "./webhookUrlPolicy.ts";

/**
 * @example
 * const loaded = yield* loadPlugins([ingestPlugin, devicesPlugin, alertRulesPlugin, webhookNotifierPlugin]);
 */
export const webhookNotifierPlugin = definePlugin({
  id: "webhook-notifier",
  dependsOn: ["alert-rules"],
  register(api) {
    const settings = readWebhookSettings();
    api.events(...webhookEvents);
    api.projection(webhookTargetsProjection);
    registerNotifier(api, makeWebhookNotifier(settings));
    api.routes((context) => webhookRoutes(context, settings));
    api.openapi(...webhookOperations);
  },
});
