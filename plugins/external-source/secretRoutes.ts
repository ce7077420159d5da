/**
 * `/v1/external-source-secrets`: a tenant's applications store the secrets its sources
 * name (tenant key only). Values go in and never come out: the list shows names and
 * update times, and no response, log line or event carries a value.
 */
import { Effect, Schema } from "effect";
import { Hono } from "hono";
import { callerOf, decodeRequest, NotFound, type RouteContext, readJsonBody } from "../../core/index.ts";
import { limitBody, noQuery } from "./httpInput.ts";
import { deleteSecret, listSecrets, putSecret, SecretName } from "./secretStore.ts";

const SecretPath = Schema.Struct({ name: SecretName });
export const SecretBody = Schema.Struct({
  value: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(4096)),
});

/**
 * @example
 * api.routes((context) => secretRoutes(context));
 * // PUT /v1/external-source-secrets/weather-key {"value": "k-123"} → 204
 */
export const secretRoutes = (context: RouteContext): Hono => {
  const app = new Hono();

  app.put("/v1/external-source-secrets/:name", limitBody, async (c) => {
    await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callerOf(c.req, ["tenant"]);
        const { name } = yield* decodeRequest(SecretPath, c.req.param());
        yield* noQuery(c.req);
        const { value } = yield* decodeRequest(SecretBody, yield* readJsonBody(c.req));
        yield* putSecret(tenantId, name, value);
      }),
    );
    return c.body(null, 204);
  });

  app.get("/v1/external-source-secrets", async (c) => {
    const secrets = await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callerOf(c.req, ["tenant"]);
        yield* noQuery(c.req);
        return yield* listSecrets(tenantId);
      }),
    );
    return c.json({ secrets });
  });

  app.delete("/v1/external-source-secrets/:name", async (c) => {
    await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callerOf(c.req, ["tenant"]);
        const { name } = yield* decodeRequest(SecretPath, c.req.param());
        yield* noQuery(c.req);
        if (!(yield* deleteSecret(tenantId, name))) return yield* new NotFound({ detail: `no secret ${name}` });
      }),
    );
    return c.body(null, 204);
  });

  return app;
};
