/**
 * Loads plugins: checks ids and dependencies (with errors that name the plugin), orders
 * them so a plugin registers after what it depends on, runs every `register`, and
 * collects what they contributed. Third-party plugins come from module specifiers given
 * in config (ANANSKY_PLUGINS); the caller resolves them to importable URLs.
 */
import { Effect } from "effect";
import type { Hono } from "hono";
import type { RegisteredHandler } from "../consuming/ConsumerRunner.ts";
import type { EventEnvelope } from "../events/EventEnvelope.ts";
import type { AnyEventDefinition } from "../events/EventRegistry.ts";
import type { OperationSpec } from "../http/openApi.ts";
import type { AnyProjection } from "../projections/defineProjection.ts";
import { type BackgroundTask, isValidPluginId, type Plugin, type RouteContext } from "./definePlugin.ts";
import { PluginLoadError } from "./Errors.ts";
import type { PluginServices } from "./PluginServices.ts";

export interface LoadedPlugin {
  readonly id: string;
  readonly events: ReadonlyArray<AnyEventDefinition>;
  readonly handlers: ReadonlyArray<RegisteredHandler<PluginServices>>;
  readonly routes: ReadonlyArray<(context: RouteContext) => Hono>;
  readonly projections: ReadonlyArray<AnyProjection>;
  readonly operations: ReadonlyArray<OperationSpec>;
  /** Work the worker runs for the life of the process (see PluginApi.background). */
  readonly background: ReadonlyArray<BackgroundTask>;
}

export interface LoadedPlugins {
  /** In registration order: dependencies first. */
  readonly plugins: ReadonlyArray<LoadedPlugin>;
  readonly events: ReadonlyArray<AnyEventDefinition>;
}

const orderByDependencies = (plugins: ReadonlyArray<Plugin>): Effect.Effect<ReadonlyArray<Plugin>, PluginLoadError> =>
  Effect.suspend(() => {
    const byId = new Map<string, Plugin>();
    for (const plugin of plugins) {
      if (!isValidPluginId(plugin.id)) {
        return Effect.fail(
          new PluginLoadError({ pluginId: plugin.id, reason: "id must be lower-case letters, digits and dashes" }),
        );
      }
      if (byId.has(plugin.id))
        return Effect.fail(new PluginLoadError({ pluginId: plugin.id, reason: "id is used by two plugins" }));
      byId.set(plugin.id, plugin);
    }
    for (const plugin of plugins) {
      const missing = (plugin.dependsOn ?? []).filter((id) => !byId.has(id));
      if (missing.length > 0) {
        return Effect.fail(
          new PluginLoadError({ pluginId: plugin.id, reason: `depends on ${missing.join(", ")}, which is not loaded` }),
        );
      }
    }
    const ordered: Array<Plugin> = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (plugin: Plugin, path: ReadonlyArray<string>): PluginLoadError | undefined => {
      if (state.get(plugin.id) === "done") return undefined;
      if (state.get(plugin.id) === "visiting") {
        return new PluginLoadError({
          pluginId: plugin.id,
          reason: `dependency cycle: ${[...path, plugin.id].join(" -> ")}`,
        });
      }
      state.set(plugin.id, "visiting");
      for (const dependency of plugin.dependsOn ?? []) {
        const error = visit(byId.get(dependency) as Plugin, [...path, plugin.id]);
        if (error !== undefined) return error;
      }
      state.set(plugin.id, "done");
      ordered.push(plugin);
      return undefined;
    };
    for (const plugin of plugins) {
      const error = visit(plugin, []);
      if (error !== undefined) return Effect.fail(error);
    }
    return Effect.succeed(ordered);
  });

/**
 * @example
 * const loaded = yield* loadPlugins([ingestPlugin, devicesPlugin, ...external]);
 */
export const loadPlugins = Effect.fn("loadPlugins")(function* (plugins: ReadonlyArray<Plugin>) {
  // The same plugin object named twice (built in, and again in ANANSKY_PLUGINS) loads once.
  const ordered = yield* orderByDependencies([...new Set(plugins)]);
  const declaredPoints = new Map<
    string,
    { owner: string; contributions: Array<{ pluginId: string; value: unknown }> }
  >();
  const pendingContributions: Array<{ pluginId: string; pointId: string; value: unknown }> = [];
  const loaded: Array<LoadedPlugin> = [];

  for (const plugin of ordered) {
    const events: Array<AnyEventDefinition> = [];
    const handlers: Array<RegisteredHandler<PluginServices>> = [];
    const routes: Array<(context: RouteContext) => Hono> = [];
    const projections: Array<AnyProjection> = [];
    const operations: Array<OperationSpec> = [];
    const background: Array<BackgroundTask> = [];
    yield* Effect.try({
      try: () =>
        plugin.register({
          pluginId: plugin.id,
          events: (...definitions) => void events.push(...definitions),
          on: (definition, handler) =>
            void handlers.push({
              definition,
              // The runner hands over the raw envelope; decode (and upcast) it to the handler's type here.
              // (`as never`: the handler's parameter is EventOf<D>, which decode produces for this D.)
              handle: (event: EventEnvelope) => Effect.flatMap(definition.decode(event), handler as never),
            }),
          onRun: (definition, handler) => {
            const handleRun = (events: ReadonlyArray<EventEnvelope>): Effect.Effect<void, unknown, PluginServices> =>
              Effect.flatMap(Effect.forEach(events, definition.decode), handler as never);
            void handlers.push({ definition, handle: (event) => handleRun([event]), handleRun });
          },
          routes: (build) => void routes.push(build),
          projection: (projection) => void projections.push(projection),
          openapi: (...described) => void operations.push(...described),
          background: (name, effect) => void background.push({ name, effect }),
          extensionPoint: (point) => {
            if (declaredPoints.has(point.id)) throw new Error(`extension point ${point.id} is declared twice`);
            const entry = { owner: plugin.id, contributions: [] as Array<{ pluginId: string; value: unknown }> };
            declaredPoints.set(point.id, entry);
            return { all: () => entry.contributions as never };
          },
          extend: (point, value) => void pendingContributions.push({ pluginId: plugin.id, pointId: point.id, value }),
        }),
      catch: (cause) => new PluginLoadError({ pluginId: plugin.id, reason: `register failed: ${String(cause)}` }),
    });
    loaded.push({ id: plugin.id, events, handlers, routes, projections, operations, background });
  }

  for (const contribution of pendingContributions) {
    const point = declaredPoints.get(contribution.pointId);
    if (point === undefined) {
      return yield* new PluginLoadError({
        pluginId: contribution.pluginId,
        reason: `extends ${contribution.pointId}, which no loaded plugin declares`,
      });
    }
    point.contributions.push({ pluginId: contribution.pluginId, value: contribution.value });
  }

  const eventOwners = new Map<string, string>();
  for (const plugin of loaded) {
    for (const definition of plugin.events) {
      const owner = eventOwners.get(definition.type);
      if (owner !== undefined && owner !== plugin.id) {
        return yield* new PluginLoadError({
          pluginId: plugin.id,
          reason: `event type ${definition.type} is already declared by ${owner}`,
        });
      }
      eventOwners.set(definition.type, plugin.id);
    }
  }
  const result: LoadedPlugins = { plugins: loaded, events: loaded.flatMap((p) => p.events) };
  return result;
});

/**
 * Imports third-party plugins. Each module's default export, or every named export that
 * looks like a plugin, is taken.
 *
 * @example
 * const external = yield* importPluginModules(["file:///opt/anansky/plugins/acme.ts"]);
 */
export const importPluginModules = Effect.fn("importPluginModules")(function* (
  specifiers: ReadonlyArray<string>,
  importModule: (specifier: string) => Promise<Record<string, unknown>> = (specifier) => import(specifier),
) {
  const plugins: Array<Plugin> = [];
  for (const specifier of specifiers) {
    const module = yield* Effect.tryPromise({
      try: () => importModule(specifier),
      catch: (cause) => new PluginLoadError({ pluginId: specifier, reason: `cannot import module: ${String(cause)}` }),
    });
    const found = Object.values(module).filter(isPlugin);
    if (found.length === 0) {
      return yield* new PluginLoadError({ pluginId: specifier, reason: "module exports no plugin (use definePlugin)" });
    }
    plugins.push(...new Set(found));
  }
  return plugins;
});

const isPlugin = (value: unknown): value is Plugin =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as Plugin).id === "string" &&
  typeof (value as Plugin).register === "function";
