/**
 * The HTTP face: health, the platform's admin API, every plugin's routes, the OpenAPI
 * document (/openapi.json) and its browsable page (/docs), with one error handler that
 * turns failures into problem+json.
 */
import type { ManagedRuntime } from "effect";
import { Hono } from "hono";
import { docsPageHtml } from "../../core/http/docsPage.ts";
import { problemErrorHandler, problemNotFoundHandler } from "../../core/http/problemResponses.ts";
import { type AppConfigValues, type LoadedPlugins, openApiDocument, type RouteContext } from "../../core/index.ts";
import type { PlatformServices } from "../runtime/platformLayer.ts";
import { adminRoutes } from "./adminRoutes.ts";
import { healthRoutes } from "./healthRoutes.ts";
import { platformOperations } from "./platformOperations.ts";

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
  const spec = openApiDocument({
    title: "Anansky",
    version: "0.1.0",
    operations: [...platformOperations, ...loaded.plugins.flatMap((plugin) => plugin.operations)],
  });
  app.get("/openapi.json", (c) => c.json(spec));
  app.get("/docs", (c) => c.html(docsPageHtml("/openapi.json")));
  for (const plugin of loaded.plugins) {
    for (const build of plugin.routes) app.route("/", build(context));
  }
  return app;
};
