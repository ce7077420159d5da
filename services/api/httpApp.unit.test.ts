/**
 * /openapi.json stays true to the routes: every route a built-in plugin or the platform
 * serves is an operation in the document, and every operation is served.
 */
import { assert, describe, it } from "@effect/vitest";
import { Effect, Layer, ManagedRuntime } from "effect";
import { decodeAppConfig, loadPlugins } from "../../core/index.ts";
import { observabilityPlugin } from "../../observability/observabilityPlugin.ts";
import { builtInPlugins } from "../builtInPlugins.ts";
import { httpApp } from "./httpApp.ts";

/** "GET /v1/devices/{deviceId}" for Hono's "/v1/devices/:deviceId". */
const operationOf = (method: string, path: string) =>
  `${method.toUpperCase()} ${path.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`;

/** Served but not API operations: the document itself and its page. */
const notOperations = new Set(["GET /openapi.json", "GET /docs"]);

describe("httpApp", () => {
  it.effect(
    "given the built-in plugins, when the app is built, then its routes and /openapi.json name the same operations",
    () =>
      Effect.gen(function* () {
        const config = yield* decodeAppConfig({
          MONGODB_URI: "mongodb://127.0.0.1:27017/",
          KAFKA_BOOTSTRAP_SERVERS: "127.0.0.1:9092",
        });
        const loaded = yield* loadPlugins([...builtInPlugins(config), observabilityPlugin(config, undefined)]);
        // Routes are only built here, never called: an empty runtime is enough.
        const runtime = ManagedRuntime.make(Layer.empty) as never;
        const app = httpApp(runtime, config, loaded);
        const served = new Set(
          app.routes
            .filter((route) => route.method !== "ALL")
            .map((route) => operationOf(route.method, route.path))
            .filter((operation) => !notOperations.has(operation)),
        );
        const response = yield* Effect.promise(async () => app.request("/openapi.json"));
        const spec = (yield* Effect.promise(() => response.json())) as {
          paths: Record<string, Record<string, unknown>>;
        };
        const documented = new Set(
          Object.entries(spec.paths).flatMap(([path, methods]) =>
            Object.keys(methods).map((method) => operationOf(method, path)),
          ),
        );
        assert.deepStrictEqual([...served].filter((operation) => !documented.has(operation)).sort(), []);
        assert.deepStrictEqual([...documented].filter((operation) => !served.has(operation)).sort(), []);
        assert.isAbove(served.size, 30);
      }),
  );
});
