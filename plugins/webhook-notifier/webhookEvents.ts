/**
 * Webhook targets (family `webhooks`, stream `webhook-<tenantId>-<targetId>`). The
 * signing secret travels in WebhookTargetCreated: the notifier needs it to sign, and it
 * is never returned by the API after creation (see README.md, "Secrets").
 */
import { Schema } from "effect";
import { defineEvent, type StreamId } from "../../core/index.ts";

/** The alert events a target can subscribe to. */
export const WebhookEventType = Schema.Literals([
  "AlertRaised",
  "AlertEscalated",
  "AlertAcknowledged",
  "AlertResolved",
]);
export type WebhookEventType = typeof WebhookEventType.Type;

/**
 * @example
 * webhookStreamId("acme", "wh_12ab") // "webhook-acme-wh_12ab"
 */
export const webhookStreamId = (tenantId: string, targetId: string): StreamId =>
  `webhook-${tenantId}-${targetId}` as StreamId;

/**
 * @example
 * WebhookTargetCreated.make({ targetId, url, description: "", eventTypes: [], secret }, { tenantId })
 */
export const WebhookTargetCreated = defineEvent({
  type: "WebhookTargetCreated",
  family: "webhooks",
  payload: Schema.Struct({
    targetId: Schema.String,
    url: Schema.String,
    description: Schema.String,
    eventTypes: Schema.Array(WebhookEventType),
    secret: Schema.String,
  }),
});

/**
 * @example
 * WebhookTargetDeleted.make({ targetId }, { tenantId })
 */
export const WebhookTargetDeleted = defineEvent({
  type: "WebhookTargetDeleted",
  family: "webhooks",
  payload: Schema.Struct({ targetId: Schema.String }),
});

/** Every webhook event, for `api.events(...)`. */
export const webhookEvents = [WebhookTargetCreated, WebhookTargetDeleted] as const;
