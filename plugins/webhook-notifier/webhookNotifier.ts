/**
 * The webhook notifier: a tenant's targets are its live `rm_webhook_targets` documents
 * that subscribe to the event's type; a delivery is one signed POST of JSON through the
 * platform's OutboundHttp (its allow-list, resolved-address checks and pinned connection
 * apply; redirects are not followed). 2xx is delivered; unreachable, a timeout, 408, 425,
 * 429 and 5xx are retried (by the consumer runner, with backoff, then dead-lettered); any
 * other answer, a refusal by the outbound policy, and a target that was deleted or whose
 * URL is no longer allowed fail without retrying.
 */
import { Effect, Option, Result } from "effect";
import { type OutboundError, OutboundHttp, ReadModelStore } from "../../core/index.ts";
import { type AlertNotification, DeliveryFailed, type Notifier } from "../alert-rules/index.ts";
import type { WebhookSettings } from "./webhookSettings.ts";
import { signWebhookBody, webhookHeaders } from "./webhookSignature.ts";
import {
  type WebhookTargetDocument,
  webhookTargetDocumentId,
  webhookTargetsCollection,
} from "./webhookTargetsProjection.ts";
import { checkWebhookUrl } from "./webhookUrlPolicy.ts";

const retryableStatuses = new Set([408, 425, 429]);

/**
 * The JSON body a receiver gets.
 *
 * @example
 * webhookBody("0193…", 1, notification) // '{"id":"0193…","type":"AlertRaised","attempt":1,"notification":{…}}'
 */
export const webhookBody = (requestId: string, attempt: number, notification: AlertNotification): string =>
  JSON.stringify({ id: requestId, type: notification.eventType, attempt, notification });

const failureOf = (error: OutboundError): DeliveryFailed => {
  switch (error._tag) {
    case "OutboundRefused":
      return new DeliveryFailed({ reason: `refused by the outbound policy: ${error.reason}`, retryable: false });
    case "OutboundUnreachable":
      return new DeliveryFailed({ reason: `unreachable: ${error.reason}`, retryable: true });
    case "OutboundTimeout":
      return new DeliveryFailed({ reason: `no answer within ${error.timeoutMs} ms`, retryable: true });
    case "OutboundResponseTooLarge":
      // The receiver got the request; only its answer was too long to read.
      return new DeliveryFailed({ reason: "the answer was too large", retryable: false });
  }
};

const post = (url: string, headers: Record<string, string>, body: string, timeoutMs: number) =>
  Effect.gen(function* () {
    const http = yield* OutboundHttp;
    const response = yield* http
      .request({ url, method: "POST", headers, body, timeoutMs, maxRedirects: 0, maxResponseBytes: 64 * 1024 })
      .pipe(Effect.mapError(failureOf));
    return response.status;
  });

/**
 * @example
 * registerNotifier(api, makeWebhookNotifier(readWebhookSettings()));
 */
export const makeWebhookNotifier = (settings: WebhookSettings): Notifier => ({
  id: "webhook",
  targetsFor: (notification) =>
    Effect.gen(function* () {
      const store = yield* ReadModelStore;
      const targets = (yield* store.find(
        webhookTargetsCollection,
        { tenantId: notification.tenantId },
        { sort: { targetId: 1 } },
      )) as unknown as ReadonlyArray<WebhookTargetDocument>;
      return targets
        .filter((target) => target.eventTypes.length === 0 || target.eventTypes.includes(notification.eventType))
        .map((target) => ({ targetId: target.targetId }));
    }),
  deliver: (targetId, notification, { requestId, attempt }) =>
    Effect.gen(function* () {
      const store = yield* ReadModelStore;
      const found = yield* store
        .get(webhookTargetsCollection, webhookTargetDocumentId(notification.tenantId, targetId))
        .pipe(Effect.mapError((error) => new DeliveryFailed({ reason: error.reason, retryable: true })));
      if (Option.isNone(found)) {
        return yield* new DeliveryFailed({ reason: `target ${targetId} was deleted`, retryable: false });
      }
      const target = found.value as unknown as WebhookTargetDocument;
      const url = checkWebhookUrl(target.url, settings.allowedHosts);
      if (Result.isFailure(url)) {
        return yield* new DeliveryFailed({ reason: `url ${url.failure}`, retryable: false });
      }
      const body = webhookBody(requestId, attempt, notification);
      const timestamp = Math.floor(Date.now() / 1000);
      const headers = {
        "content-type": "application/json",
        "user-agent": "Anansky-Webhook/1",
        [webhookHeaders.id]: requestId,
        [webhookHeaders.timestamp]: String(timestamp),
        [webhookHeaders.signature]: yield* Effect.promise(() => signWebhookBody(target.secret, timestamp, body)),
        [webhookHeaders.attempt]: String(attempt),
      };
      const status = yield* post(url.success.href, headers, body, settings.timeoutMs);
      if (status >= 200 && status < 300) return { outcome: `HTTP ${status}` };
      const retryable = status >= 500 || retryableStatuses.has(status);
      return yield* new DeliveryFailed({ reason: `HTTP ${status}`, retryable });
    }),
});
