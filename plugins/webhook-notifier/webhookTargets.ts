/**
 * A tenant's webhook targets: create (the URL checked against the webhook policy and the
 * platform's outbound policy, a signing secret generated and shown once), list, read,
 * delete. Answers never include the secret after creation.
 */
import { Effect, Option, Result, Schema } from "effect";
import {
  applyProjectionBatch,
  EventWriter,
  NotFound,
  ReadModelStore,
  type TenantId,
  ValidationFailed,
} from "../../core/index.ts";
import { WebhookEventType, WebhookTargetCreated, WebhookTargetDeleted, webhookStreamId } from "./webhookEvents.ts";
import type { WebhookSettings } from "./webhookSettings.ts";
import {
  type WebhookTargetDocument,
  webhookTargetDocumentId,
  webhookTargetsCollection,
  webhookTargetsProjection,
} from "./webhookTargetsProjection.ts";
import { checkWebhookUrl } from "./webhookUrlPolicy.ts";

/** The body of POST /v1/webhooks. */
export const CreateWebhookBody = Schema.Struct({
  url: Schema.String.check(Schema.isMaxLength(2_000)),
  description: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(500))),
  /** Default: every alert event. */
  eventTypes: Schema.optionalKey(Schema.Array(WebhookEventType).check(Schema.isMaxLength(4))),
});
export type CreateWebhookBody = typeof CreateWebhookBody.Type;

/** The path of /v1/webhooks/{targetId}. */
export const WebhookPath = Schema.Struct({ targetId: Schema.String.check(Schema.isMaxLength(64)) });

/** A target as the API shows it: everything but the secret. */
export const webhookTargetView = ({
  secret: _secret,
  _id: _docId,
  ...target
}: WebhookTargetDocument & { _id?: string }) => target;

const toBase64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

const record = (tenantId: string, targetId: string, event: ReturnType<typeof WebhookTargetCreated.make>) =>
  Effect.gen(function* () {
    const writer = yield* EventWriter;
    const stored = yield* writer.append(webhookStreamId(tenantId, targetId), "any", [event]);
    yield* applyProjectionBatch(webhookTargetsProjection, stored).pipe(
      Effect.retry({ times: 3, while: (error) => error._tag === "ReadModelConstraintViolation" }),
      Effect.orDie,
    );
  });

/**
 * @example
 * const { target, secret } = yield* createWebhookTarget("acme", { url: "https://hooks.example.com/a" }, settings);
 */
export const createWebhookTarget = Effect.fn("webhooks.createTarget")(function* (
  tenantId: string,
  body: CreateWebhookBody,
  settings: WebhookSettings,
) {
  const url = checkWebhookUrl(body.url, settings.allowedHosts);
  if (Result.isFailure(url)) {
    return yield* new ValidationFailed({
      detail: "the webhook URL is not allowed",
      errors: [{ field: "url", reason: url.failure }],
    });
  }
  const targetId = `wh_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const secret = `whsec_${toBase64Url(crypto.getRandomValues(new Uint8Array(32)))}`;
  const event = WebhookTargetCreated.make(
    { targetId, url: url.success.href, description: body.description ?? "", eventTypes: body.eventTypes ?? [], secret },
    { tenantId: tenantId as TenantId },
  );
  yield* record(tenantId, targetId, event);
  return { target: yield* getWebhookTarget(tenantId, targetId), secret };
});

/**
 * @example
 * const target = yield* getWebhookTarget("acme", "wh_12ab");
 */
export const getWebhookTarget = Effect.fn("webhooks.getTarget")(function* (tenantId: string, targetId: string) {
  const store = yield* ReadModelStore;
  const found = yield* store.get(webhookTargetsCollection, webhookTargetDocumentId(tenantId, targetId));
  if (Option.isNone(found)) return yield* new NotFound({ detail: `no webhook target ${targetId}` });
  return webhookTargetView(found.value as unknown as WebhookTargetDocument);
});

/**
 * @example
 * const { targets } = yield* listWebhookTargets("acme");
 */
export const listWebhookTargets = Effect.fn("webhooks.listTargets")(function* (tenantId: string) {
  const store = yield* ReadModelStore;
  const found = (yield* store.find(
    webhookTargetsCollection,
    { tenantId },
    { sort: { targetId: 1 }, limit: 500 },
  )) as unknown as ReadonlyArray<WebhookTargetDocument>;
  return { targets: found.map(webhookTargetView) };
});

/**
 * @example
 * yield* deleteWebhookTarget("acme", "wh_12ab");
 */
export const deleteWebhookTarget = Effect.fn("webhooks.deleteTarget")(function* (tenantId: string, targetId: string) {
  yield* getWebhookTarget(tenantId, targetId);
  const writer = yield* EventWriter;
  const stored = yield* writer.append(webhookStreamId(tenantId, targetId), "any", [
    WebhookTargetDeleted.make({ targetId }, { tenantId: tenantId as TenantId }),
  ]);
  yield* applyProjectionBatch(webhookTargetsProjection, stored).pipe(Effect.orDie);
});
