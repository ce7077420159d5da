/**
 * `GET /v1/devices/{deviceId}/enrichment`: a device's latest enrichment values and the
 * last outcome of each source, from `rm_enriched_latest`. A tenant key reads any device
 * of its tenant; a device key reads its own device only.
 */
import { Effect, Option, Schema } from "effect";
import { Hono } from "hono";
import { callerOf, decodeRequest, Forbidden, NotFound, ReadModelStore, type RouteContext } from "../../core/index.ts";
import { deviceDocumentId } from "../ingest/index.ts";
import { type EnrichedLatestDocument, enrichedLatestCollection } from "./enrichedLatestProjection.ts";
import { noQuery } from "./httpInput.ts";

const DevicePath = Schema.Struct({
  deviceId: Schema.String.check(Schema.isPattern(/^[A-Za-z0-9._:-]{1,100}$/, { message: "not a device id" })),
});

/**
 * @example
 * api.routes((context) => enrichmentRoutes(context));
 * // → { deviceId, enrichment: { outside_temp: { value, ts, sourceId, fetchedAt } }, sources: { weather: { status, circuit, ts } }, lastEnrichedAt }
 */
export const enrichmentRoutes = (context: RouteContext): Hono => {
  const app = new Hono();

  app.get("/v1/devices/:deviceId/enrichment", async (c) => {
    const body = await context.run(
      Effect.gen(function* () {
        const caller = yield* callerOf(c.req, ["tenant", "device"]);
        const { deviceId } = yield* decodeRequest(DevicePath, c.req.param());
        yield* noQuery(c.req);
        if (caller.kind === "device" && caller.deviceId !== deviceId) {
          return yield* new Forbidden({ detail: "a device key reads its own device only" });
        }
        const store = yield* ReadModelStore;
        const found = yield* store.get(enrichedLatestCollection, deviceDocumentId(caller.tenantId, deviceId));
        if (Option.isNone(found)) return yield* new NotFound({ detail: `no enrichment for device ${deviceId}` });
        const {
          tenantId: _tenantId,
          _id,
          ...document
        } = found.value as unknown as EnrichedLatestDocument & {
          readonly _id: string;
        };
        return document;
      }),
    );
    return c.json(body);
  });

  return app;
};
