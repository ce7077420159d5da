/**
 * The one entry of every Anansky process. MODE=server runs the HTTP API, MODE=consumer
 * the plugin handlers (CONSUMER_TYPE picks one plugin), MODE=all both (development).
 * SIGTERM and SIGINT shut down gracefully: the HTTP server stops accepting, consumers
 * finish and commit what is in flight and leave their groups, queued events are
 * published, connections close.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Cause, Effect, Exit, ManagedRuntime } from "effect";
import { decodeAppConfig, importPluginModules, loadPlugins, registerPlatformMetrics } from "../core/index.ts";
import { withHttpRouteSpans } from "../observability/httpRouteSpans.ts";
import { fatalLogLine } from "../observability/jsonLogger.ts";
import { observabilityPlugin } from "../observability/observabilityPlugin.ts";
import { installedTelemetry } from "../observability/telemetryHandle.ts";
import { telemetryLayer } from "../observability/telemetryLayer.ts";
import { telemetrySettings } from "../observability/telemetrySettings.ts";
import { httpApp } from "./api/httpApp.ts";
import { builtInPlugins } from "./builtInPlugins.ts";
import { serveHttp } from "./runtime/httpServer.ts";
import { platformLayer } from "./runtime/platformLayer.ts";
import { runWorker } from "./worker/runWorker.ts";

/** A relative path is taken from the working directory; a bare name is a package. */
const toImportSpecifier = (specifier: string): string =>
  specifier.startsWith(".") || specifier.startsWith("/") ? pathToFileURL(resolve(specifier)).href : specifier;

// Started by `node --import ./observability/register.ts` (see scripts/run-platform.sh); without
// it the process runs untraced and /metrics shows Effect's metrics only.
const telemetry = installedTelemetry();
const settings = telemetry?.settings ?? telemetrySettings(process.env);
const observability = telemetryLayer({
  serviceName: settings.serviceName,
  logLevel: process.env.LOG_LEVEL,
  telemetry,
});

const main = Effect.gen(function* () {
  // The first finalizer runs last: spans and metrics of the shutdown itself are flushed too.
  if (telemetry !== undefined) {
    yield* Effect.addFinalizer(() =>
      Effect.promise(() => telemetry.shutdown()).pipe(Effect.timeout("5 seconds"), Effect.ignore),
    );
  }
  const config = yield* decodeAppConfig(process.env);
  const external = yield* importPluginModules(config.ANANSKY_PLUGINS.map(toImportSpecifier));
  const loaded = yield* loadPlugins([...builtInPlugins(config), observabilityPlugin(config, telemetry), ...external]);
  yield* registerPlatformMetrics;
  const runtime = ManagedRuntime.make(
    platformLayer(config, loaded, { telemetry: observability, metricsPollIntervalMs: settings.metricsPollIntervalMs }),
  );
  yield* Effect.addFinalizer(() => runtime.disposeEffect);
  const context = yield* runtime.contextEffect;
  if (config.MODE !== "server") yield* runWorker(config, loaded).pipe(Effect.provideContext(context));
  if (config.MODE !== "consumer") {
    yield* serveHttp(withHttpRouteSpans(httpApp(runtime, config, loaded)), {
      port: config.PORT,
      hostname: config.HOST,
    });
  }
  yield* Effect.logInfo(`anansky ${config.MODE} started with plugins: ${loaded.plugins.map((p) => p.id).join(", ")}`);
  return yield* Effect.never;
}).pipe(Effect.scoped);

const fiber = Effect.runFork(main.pipe(Effect.provide(observability)));
const shutdown = () => fiber.interruptUnsafe();
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
// Test harnesses set this so that a platform process never outlives the test run that
// started it, even when that run is killed without a chance to clean up.
if (process.env.ANANSKY_EXIT_WITH_PARENT === "1") {
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && shutdown(), 500).unref();
}
fiber.addObserver((exit) => {
  if (Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause)) {
    console.error(fatalLogLine(settings.serviceName, Cause.squash(exit.cause), Cause.pretty(exit.cause)));
    process.exit(1);
  }
  process.exit(0);
});
