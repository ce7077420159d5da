/**
 * The platform's observability routes, contributed like any plugin's so they appear in
 * /openapi.json: GET /metrics (Prometheus scrape, no credentials: keep it off the public
 * ingress, or use ANANSKY_METRICS_PORT) and GET /v1/events/{eventId}/trace (admin).
 */
import { Schema } from "effect";
import { Hono } from "hono";
import { type AppConfigValues, definePlugin, type OperationSpec, type Plugin } from "../core/index.ts";
import { requireAdmin } from "../services/api/adminRoutes.ts";
import { EventTrace, eventTrace } from "./eventTrace.ts";
import { prometheusContentType, scrapeMetrics } from "./metricsScrape.ts";
import type { Telemetry } from "./telemetryHandle.ts";

const operations: ReadonlyArray<OperationSpec> = [
  {
    method: "get",
    path: "/metrics",
    summary: "Metrics in the Prometheus text format",
    description: "Ingest, event store, publishing, consumer lag, handlers, dead letters, external sources, alerts.",
    tags: ["operations"],
    credentials: ["none"],
    responses: { 200: { description: "Prometheus text format 0.0.4" } },
  },
  {
    method: "get",
    path: "/v1/events/{eventId}/trace",
    summary: "An event's trace id and the chain of events that caused it",
    description: "Follows causationId back to the root event (for an alert: the reading that raised it).",
    tags: ["operations"],
    credentials: ["admin"],
    pathParameters: [{ name: "eventId", description: "any event id, e.g. an AlertRaised event's" }],
    responses: { 200: { description: "the chain, root first", schema: EventTrace } },
  },
];

/**
 * @example
 * const plugins = yield* loadPlugins([...builtInPlugins, observabilityPlugin(config, installedTelemetry())]);
 */
export const observabilityPlugin = (config: AppConfigValues, telemetry: Telemetry | undefined): Plugin =>
  definePlugin({
    id: "observability",
    register(api) {
      api.openapi(...operations);
      api.routes((context) =>
        new Hono()
          .get("/metrics", async (c) =>
            c.body(await scrapeMetrics(telemetry), 200, { "content-type": prometheusContentType }),
          )
          .get("/v1/events/:eventId/trace", requireAdmin(config), async (c) => {
            const trace = await context.run(eventTrace(c.req.param("eventId")));
            return c.json(Schema.encodeSync(EventTrace)(trace));
          }),
      );
    },
  });
