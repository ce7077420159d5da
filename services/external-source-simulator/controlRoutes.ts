/**
 * `/_control` switches faults at run time, `/_stats` reports what clients did. Neither is subject
 * to faults nor counted, so a test can always end an outage and read the counts.
 */
import { Hono } from "hono";
import { InvalidControlSettings } from "./controlSettings.ts";
import type { FaultInjector } from "./faults.ts";
import { problemResponse } from "./problemResponse.ts";
import type { RequestStats } from "./stats.ts";

/**
 * `GET|POST /_control`, `POST /_control/reset`, `GET /_stats`, `POST /_stats/reset`.
 *
 * @example
 * app.route("/", controlRoutes({ faults: createFaultInjector(1), stats: createRequestStats() }));
 */
export const controlRoutes = (options: { readonly faults: FaultInjector; readonly stats: RequestStats }) => {
  const { faults, stats } = options;
  const app = new Hono();

  app.get("/_control", (c) => c.json(faults.settings()));

  app.post("/_control", async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return problemResponse(400, "Invalid control settings", "the body must be a JSON object");
    }
    try {
      return c.json(faults.update(body));
    } catch (error) {
      if (error instanceof InvalidControlSettings) {
        return problemResponse(400, "Invalid control settings", error.message);
      }
      throw error;
    }
  });

  app.post("/_control/reset", (c) => c.json(faults.reset()));

  app.get("/_stats", (c) => c.json(stats.snapshot()));

  app.post("/_stats/reset", (c) => {
    stats.reset();
    return c.json(stats.snapshot());
  });

  return app;
};
