/**
 * /admin/tenants: the platform operator (admin token) creates tenants and manages their
 * keys. A tenant or device key gets 403 (the platform's /admin guard may answer 401 first).
 */
import { Effect } from "effect";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import {
  callerOf,
  decodeRequest,
  PayloadTooLarge,
  type RouteContext,
  readJsonBody,
  singleValuedQuery,
} from "../../core/index.ts";
import { CreateTenantBody, NoQuery, TenantKeyPath, TenantPath } from "./requestSchemas.ts";
import { createTenant, issueTenantKey, revokeTenantKey } from "./tenantCommands.ts";

const maxTenantBodyBytes = 4 * 1024;

/**
 * @example
 * api.routes((context) => tenantRoutes(context));
 */
export const tenantRoutes = (context: RouteContext): Hono => {
  const app = new Hono();

  app.post(
    "/admin/tenants",
    bodyLimit({
      maxSize: maxTenantBodyBytes,
      onError: () => {
        throw new PayloadTooLarge({ detail: `the body is larger than ${maxTenantBodyBytes} bytes` });
      },
    }),
    async (c) => {
      const created = await context.run(
        Effect.gen(function* () {
          yield* callerOf(c.req, ["admin"]);
          yield* decodeRequest(NoQuery, yield* singleValuedQuery(c.req));
          const body = yield* decodeRequest(CreateTenantBody, yield* readJsonBody(c.req));
          return yield* createTenant(body.tenantId, body.name);
        }),
      );
      c.header("location", `/admin/tenants/${created.tenantId}`);
      return c.json(created, 201);
    },
  );

  app.post("/admin/tenants/:tenantId/keys", async (c) => {
    const issued = await context.run(
      Effect.gen(function* () {
        yield* callerOf(c.req, ["admin"]);
        const { tenantId } = yield* decodeRequest(TenantPath, c.req.param());
        yield* decodeRequest(NoQuery, yield* singleValuedQuery(c.req));
        return yield* issueTenantKey(tenantId);
      }),
    );
    c.header("cache-control", "no-store");
    return c.json(issued, 201);
  });

  app.delete("/admin/tenants/:tenantId/keys/:keyId", async (c) => {
    await context.run(
      Effect.gen(function* () {
        yield* callerOf(c.req, ["admin"]);
        const { tenantId, keyId } = yield* decodeRequest(TenantKeyPath, c.req.param());
        yield* decodeRequest(NoQuery, yield* singleValuedQuery(c.req));
        yield* revokeTenantKey(tenantId, keyId);
      }),
    );
    return c.body(null, 204);
  });

  return app;
};
