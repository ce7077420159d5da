/** The webhook notifier's operations in /openapi.json. */
import type { OperationSpec } from "../../core/index.ts";
import { CreateWebhookBody } from "./webhookTargets.ts";

const target = [{ name: "targetId", description: "the webhook target's id" }];

/** For `api.openapi(...webhookOperations)`. */
export const webhookOperations: ReadonlyArray<OperationSpec> = [
  {
    method: "post",
    path: "/v1/webhooks",
    summary: "Add a webhook target (its signing secret is shown once)",
    description:
      "https to a public host, or any allow-listed host (ANANSKY_WEBHOOK_ALLOWED_HOSTS); the platform's outbound policy applies too.",
    tags: ["webhooks"],
    credentials: ["tenant"],
    requestBody: { contentTypes: ["application/json"], schema: CreateWebhookBody },
    responses: { 201: { description: "the target and `secret`" }, 400: { description: "the URL is not allowed" } },
  },
  {
    method: "get",
    path: "/v1/webhooks",
    summary: "The tenant's webhook targets (without secrets)",
    tags: ["webhooks"],
    credentials: ["tenant"],
    responses: { 200: { description: "`{targets}`" } },
  },
  {
    method: "get",
    path: "/v1/webhooks/{targetId}",
    summary: "A webhook target (without its secret)",
    tags: ["webhooks"],
    credentials: ["tenant"],
    pathParameters: target,
    responses: { 200: { description: "the target" } },
  },
  {
    method: "delete",
    path: "/v1/webhooks/{targetId}",
    summary: "Remove a webhook target",
    tags: ["webhooks"],
    credentials: ["tenant"],
    pathParameters: target,
    responses: { 204: { description: "removed" } },
  },
];
