/**
 * The HTTP face: health, the platform's admin API and every plugin's routes, with one
 * error handler that turns failures into problem+json.
 */
import type { ManagedRuntime } from "effect";
import { Hono } from "hono";
import { problemErrorHandler, problemNotFoundHandler } from "../../core/http/problemResponses.ts";
import type { AppConfigValues, LoadedPlugins, RouteContext } from "../../core/index.ts";
import type { PlatformServices } from "../runtime/platformLayer.ts";
import { adminRoutes } from "./adminRoutes.ts";
import { healthRoutes } from "./healthRoutes.ts";

export const httpApp = (
  runtime: ManagedRuntime.ManagedRuntime<PlatformServices, unknown>,
  config: AppConfigValues,
  loaded: LoadedPlugins,
): Hono => {
  const context: RouteContext = { run: (effect) => runtime.runPromise(effect) };
  const app = new Hono();
  app.onError(problemErrorHandler);
  app.notFound(problemNotFoundHandler);
  app.route("/", healthRoutes(runtime));
  app.route(
    "/",
    adminRoutes(
      runtime,
      config,
      loaded.plugins.flatMap((plugin) => plugin.projections),
    ),
  );
  for (const plugin of loaded.plugins) {
    for (const build of plugin.routes) app.route("/", build(context));
  }
  return app;
};
