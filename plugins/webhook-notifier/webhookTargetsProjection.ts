/**
 * `webhook_targets` (collection `rm_webhook_targets`): one document per live target,
 * `_id` = `<tenantId>|<targetId>`; a deleted target's document is removed.
 */
import { defineProjection } from "../../core/index.ts";
import { type WebhookEventType, WebhookTargetCreated, WebhookTargetDeleted } from "./webhookEvents.ts";

export interface WebhookTargetDocument extends Record<string, unknown> {
  readonly tenantId: string;
  readonly targetId: string;
  readonly url: string;
  readonly description: string;
  /** Empty: every alert event. */
  readonly eventTypes: ReadonlyArray<WebhookEventType>;
  readonly secret: string;
  readonly createdAt: string;
}

/** The collection (never served with its secrets). */
export const webhookTargetsCollection = "rm_webhook_targets";

/**
 * @example
 * webhookTargetDocumentId("acme", "wh_12ab") // "acme|wh_12ab"
 */
export const webhookTargetDocumentId = (tenantId: string, targetId: string): string => `${tenantId}|${targetId}`;

/**
 * @example
 * api.projection(webhookTargetsProjection);
 */
export const webhookTargetsProjection = defineProjection({
  name: "webhook_targets",
  version: 1,
  events: [WebhookTargetCreated, WebhookTargetDeleted],
  key: (event) => webhookTargetDocumentId(event.tenantId, event.payload.targetId),
  apply: (_doc: WebhookTargetDocument | undefined, event): WebhookTargetDocument | undefined =>
    event.type === "WebhookTargetCreated"
      ? { tenantId: event.tenantId, ...event.payload, createdAt: event.occurredAt }
      : undefined,
  indexes: [{ keys: { tenantId: 1 } }],
});
