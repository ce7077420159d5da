/**
 * The whole simulator as one Hono app: control and stats routes, then the fault and counting
 * middleware in front of every simulated endpoint (unknown paths included).
 */
import type { HttpBindings } from "@hono/node-server";
import { Hono, type MiddlewareHandler } from "hono";
import { controlRoutes } from "./controlRoutes.ts";
import { type FaultInjector, untilAborted, waitFor } from "./faults.ts";
import { problemResponse } from "./problemResponse.ts";
import { sourceRoutes } from "./sourceRoutes.ts";
import type { RequestStats } from "./stats.ts";

/** What the app needs; `shutdown` aborts when the simulator closes, ending every wait and hang. */
export interface SimulatorAppOptions {
  readonly faults: FaultInjector;
  readonly stats: RequestStats;
  readonly now: () => Date;
  readonly shutdown: AbortSignal;
}

/**
 * `/_control…` and `/_stats…`: never faulted, never counted.
 *
 * @example
 * isControlPath("/_stats/reset") // true
 */
export const isControlPath = (path: string): boolean => path.startsWith("/_");

const countAndInjectFaults =
  (options: SimulatorAppOptions): MiddlewareHandler<{ Bindings: HttpBindings }> =>
  async (c, next) => {
    if (isControlPath(c.req.path)) return next();
    const { incoming, outgoing } = c.env;
    const finish = options.stats.begin(c.req.method, new URL(c.req.url));
    // "close" fires once the answer is sent or the connection is gone, whatever the fault.
    outgoing.once("close", () => finish(outgoing.writableFinished ? outgoing.statusCode : null));

    const { latencyMs, failure } = options.faults.decide();
    const gone = AbortSignal.any([c.req.raw.signal, options.shutdown]);
    if (latencyMs > 0) await waitFor(latencyMs, gone);
    if (failure?.kind === "hang") await untilAborted(gone);
    if (failure?.kind === "hang" || failure?.kind === "reset" || gone.aborted) {
      // RST rather than FIN: the client sees ECONNRESET, as from a crashed upstream.
      if (!incoming.socket.destroyed) incoming.socket.resetAndDestroy();
      return new Response(null, { status: 204 }); // written nowhere: the socket is gone
    }
    if (failure?.kind === "status") {
      return problemResponse(failure.statusCode, "Injected failure", "the simulator was told to fail this request");
    }
    await next();
  };

/**
 * Builds the app; startExternalSourceSimulator serves it.
 *
 * @example
 * const app = simulatorApp({ faults, stats, now: () => new Date(), shutdown: controller.signal });
 * serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
 */
export const simulatorApp = (options: SimulatorAppOptions) => {
  const app = new Hono<{ Bindings: HttpBindings }>();
  app.route("/", controlRoutes(options));
  app.use("*", countAndInjectFaults(options));
  app.route("/", sourceRoutes(options));
  app.notFound((c) => problemResponse(404, "Not found", `no simulated source at ${c.req.path}`));
  app.onError((error) => problemResponse(500, "Simulator error", String(error)));
  return app;
};
