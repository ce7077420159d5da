/**
 * /v1/webhooks (tenant key): a tenant's webhook targets. POST answers 201 with the
 * target and its signing `secret`, shown this once.
 */
import { Effect } from "effect";
import { Hono } from "hono";
import { authenticate, decodeRequest, type RouteContext, requireKind, ValidationFailed } from "../../core/index.ts";
import type { WebhookSettings } from "./webhookSettings.ts";
import {
  CreateWebhookBody,
  createWebhookTarget,
  deleteWebhookTarget,
  getWebhookTarget,
  listWebhookTargets,
  WebhookPath,
} from "./webhookTargets.ts";

const tenantOf = (authorization: string | undefined) =>
  Effect.flatMap(authenticate(authorization), (principal) => requireKind(principal, ["tenant"]));

const jsonOf = (text: Promise<string>) =>
  Effect.tryPromise({
    try: async () => JSON.parse(await text) as unknown,
    catch: () =>
      new ValidationFailed({
        detail: "the request is invalid",
        errors: [{ field: "(body)", reason: "not valid JSON" }],
      }),
  });

/**
 * @example
 * api.routes((context) => webhookRoutes(context, readWebhookSettings()));
 */
export const webhookRoutes = (context: RouteContext, settings: WebhookSettings): Hono => {
  const app = new Hono();

  app.post("/v1/webhooks", async (c) => {
    const created = await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* tenantOf(c.req.header("authorization"));
        const body = yield* decodeRequest(CreateWebhookBody, yield* jsonOf(c.req.text()));
        const { target, secret } = yield* createWebhookTarget(tenantId, body, settings);
        return { ...target, secret };
      }),
    );
    c.header("cache-control", "no-store");
    c.header("location", `/v1/webhooks/${created.targetId}`);
    return c.json(created, 201);
  });

  app.get("/v1/webhooks", async (c) =>
    c.json(
      await context.run(
        Effect.gen(function* () {
          const { tenantId } = yield* tenantOf(c.req.header("authorization"));
          return yield* listWebhookTargets(tenantId);
        }),
      ),
    ),
  );

  app.get("/v1/webhooks/:targetId", async (c) =>
    c.json(
      await context.run(
        Effect.gen(function* () {
          const { tenantId } = yield* tenantOf(c.req.header("authorization"));
          const { targetId } = yield* decodeRequest(WebhookPath, c.req.param());
          return yield* getWebhookTarget(tenantId, targetId);
        }),
      ),
    ),
  );

  app.delete("/v1/webhooks/:targetId", async (c) => {
    await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* tenantOf(c.req.header("authorization"));
        const { targetId } = yield* decodeRequest(WebhookPath, c.req.param());
        yield* deleteWebhookTarget(tenantId, targetId);
      }),
    );
    return c.body(null, 204);
  });

  return app;
};
