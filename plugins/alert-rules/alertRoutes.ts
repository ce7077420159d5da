/**
 * /v1/alerts and /v1/silences (tenant key): query alerts (active by default, the
 * history, by device, rule, severity; newest first, paginated), acknowledge one, and
 * manage silences.
 */
import { Effect } from "effect";
import { Hono } from "hono";
import { decodeRequest, type RouteContext, singleValuedQuery } from "../../core/index.ts";
import { acknowledgeAlert } from "./acknowledgeAlert.ts";
import { alertView, getAlert, listAlerts } from "./alertQueries.ts";
import { callingTenant, jsonBodyOf } from "./requestInput.ts";
import {
  AcknowledgeBody,
  AlertPath,
  CreateSilenceBody,
  ListAlertsQuery,
  ListSilencesQuery,
  NoQuery,
  SilencePath,
} from "./requestSchemas.ts";
import { createSilence, endSilence, listSilences } from "./silenceCommands.ts";

/**
 * @example
 * api.routes((context) => alertRoutes(context));
 */
export const alertRoutes = (context: RouteContext): Hono => {
  const app = new Hono();

  app.get("/v1/alerts", async (c) => {
    const page = await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callingTenant(c.req);
        return yield* listAlerts(tenantId, yield* decodeRequest(ListAlertsQuery, yield* singleValuedQuery(c.req)));
      }),
    );
    return c.json(page);
  });

  app.get("/v1/alerts/:alertId", async (c) => {
    const alert = await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callingTenant(c.req);
        const { alertId } = yield* decodeRequest(AlertPath, c.req.param());
        yield* decodeRequest(NoQuery, yield* singleValuedQuery(c.req));
        return alertView(yield* getAlert(tenantId, alertId));
      }),
    );
    return c.json(alert);
  });

  app.post("/v1/alerts/:alertId/acknowledge", async (c) => {
    const alert = await context.run(
      Effect.gen(function* () {
        const { tenantId, keyId } = yield* callingTenant(c.req);
        const { alertId } = yield* decodeRequest(AlertPath, c.req.param());
        yield* decodeRequest(NoQuery, yield* singleValuedQuery(c.req));
        const body = yield* decodeRequest(AcknowledgeBody, yield* jsonBodyOf(c.req));
        return yield* acknowledgeAlert(tenantId, alertId, { keyId, by: body.by, comment: body.comment });
      }),
    );
    return c.json(alert);
  });

  app.post("/v1/silences", async (c) => {
    const silence = await context.run(
      Effect.gen(function* () {
        const { tenantId, keyId } = yield* callingTenant(c.req);
        yield* decodeRequest(NoQuery, yield* singleValuedQuery(c.req));
        return yield* createSilence(tenantId, keyId, yield* decodeRequest(CreateSilenceBody, yield* jsonBodyOf(c.req)));
      }),
    );
    return c.json(silence, 201);
  });

  app.get("/v1/silences", async (c) => {
    const list = await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callingTenant(c.req);
        const query = yield* decodeRequest(ListSilencesQuery, yield* singleValuedQuery(c.req));
        return yield* listSilences(tenantId, query.active !== "false");
      }),
    );
    return c.json(list);
  });

  app.delete("/v1/silences/:silenceId", async (c) => {
    await context.run(
      Effect.gen(function* () {
        const { tenantId, keyId } = yield* callingTenant(c.req);
        const { silenceId } = yield* decodeRequest(SilencePath, c.req.param());
        yield* endSilence(tenantId, keyId, silenceId);
      }),
    );
    return c.body(null, 204);
  });

  return app;
};
