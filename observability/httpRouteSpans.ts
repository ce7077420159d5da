/**
 * Names the auto-instrumented HTTP server span after the Hono route that matched
 * (`POST /v1/telemetry`, not just `POST`) and sets `http.route`, on the span and on the
 * request-duration metric, through the RPC metadata the http instrumentation reads.
 */
import { context, trace } from "@opentelemetry/api";
import { getRPCMetadata, RPCType } from "@opentelemetry/core";
import { Hono, type MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { problemErrorHandler, problemNotFoundHandler } from "../core/http/problemResponses.ts";

/**
 * @example
 * const root = new Hono().use(httpRouteSpans).route("/", app);
 */
export const httpRouteSpans: MiddlewareHandler = async (c, next) => {
  // The last matched route is the handler's (earlier ones are middleware such as "*").
  const route = routePath(c, -1);
  if (route !== "" && route !== "*" && route !== "/*") {
    const metadata = getRPCMetadata(context.active());
    if (metadata?.type === RPCType.HTTP) metadata.route = route;
    const span = metadata?.span ?? trace.getActiveSpan();
    span?.setAttribute("http.route", route);
    span?.updateName(`${c.req.method} ${route}`);
  }
  await next();
};

/**
 * Wraps the platform's app so every route runs under `httpRouteSpans` (a middleware has
 * to be registered before the routes it wraps); errors and 404s keep their problem+json.
 *
 * @example
 * yield* serveHttp(withHttpRouteSpans(httpApp(runtime, config, loaded)), { port, hostname });
 */
export const withHttpRouteSpans = (app: Hono): Hono => {
  const root = new Hono();
  root.onError(problemErrorHandler);
  root.notFound(problemNotFoundHandler);
  root.use(httpRouteSpans);
  root.route("/", app);
  return root;
};
