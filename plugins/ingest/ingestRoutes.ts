/**
 * The plugin's HTTP face: thin handlers that hand the request to the effects and turn
 * their results into JSON. Failures reject `context.run` with typed errors, which the
 * platform's error handler maps to problem+json.
 */
import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { PayloadTooLarge, problemResponse, type RouteContext, ValidationFailed } from "../../core/index.ts";
import { withIngestMetrics } from "./ingestMetrics.ts";
import { payloadVersionHeader } from "./payloadVersion.ts";
import { latestView, readingsView } from "./readTelemetry.ts";
import { type IngestDependencies, recordTelemetry } from "./recordTelemetry.ts";

const rejectUnknownParameters = (c: Context, allowed: ReadonlyArray<string>) => {
  const unknown = Object.keys(c.req.queries()).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) {
    throw new ValidationFailed({
      detail: "unknown query parameters",
      errors: unknown.map((field) => ({
        field,
        reason: `unknown query parameter; this route takes ${allowed.join(", ")}`,
      })),
    });
  }
};

/**
 * A 413 may leave body bytes unread on the connection: closing it keeps a client from
 * sending its next request after them (clients that reuse connections fail otherwise).
 */
const closingOnTooLarge = (c: Context) => (error: unknown) => {
  if (!(error instanceof PayloadTooLarge)) throw error;
  return problemResponse(c, { status: 413, title: "Payload too large", detail: error.detail }, { connection: "close" });
};

/**
 * @example
 * api.routes((context) => ingestRoutes(context, dependencies));
 */
export const ingestRoutes = (context: RouteContext, deps: IngestDependencies): Hono => {
  const record = async (c: Context, path: 1 | undefined) => {
    rejectUnknownParameters(c, ["version"]);
    const request = {
      authorization: c.req.header("authorization"),
      contentType: c.req.header("content-type"),
      contentLength: c.req.header("content-length"),
      versionSelectors: { path, query: c.req.queries().version ?? [], header: c.req.header(payloadVersionHeader) },
      idempotencyKey: c.req.header("idempotency-key"),
      traceparent: c.req.header("traceparent"),
      body: c.req.raw.body,
    };
    return context.run(recordTelemetry(request, deps).pipe(withIngestMetrics)).then((outcome) => {
      const headers: Record<string, string> = outcome.replayed ? { "idempotent-replayed": "true" } : {};
      return c.json(outcome.body, outcome.status as ContentfulStatusCode, headers);
    }, closingOnTooLarge(c));
  };
  return new Hono()
    .post("/v1/telemetry", (c) => record(c, undefined))
    .post("/v1/telemetry/v1", (c) => record(c, 1))
    .get("/v1/devices/:deviceId/latest", async (c) =>
      c.json(await context.run(latestView(c.req.header("authorization"), c.req.param("deviceId"), c.req.queries()))),
    )
    .get("/v1/devices/:deviceId/readings", async (c) =>
      c.json(
        await context.run(
          readingsView(c.req.header("authorization"), c.req.param("deviceId"), c.req.queries(), deps.limits),
        ),
      ),
    );
};
