/**
 * The plugin contract. A plugin is an id, the ids it depends on, and a `register`
 * function that receives a typed API — the only way a plugin touches the platform.
 */
import type { Effect } from "effect";
import type { Hono } from "hono";
import type { EventOf } from "../events/defineEvent.ts";
import type { AnyEventDefinition } from "../events/EventRegistry.ts";
import type { OperationSpec } from "../http/openApi.ts";
import type { AnyProjection } from "../projections/defineProjection.ts";
import type { ExtensionContributions, ExtensionPoint } from "./ExtensionPoint.ts";
import type { PluginServices } from "./PluginServices.ts";

/** What routes get to run effects with the platform's services. */
export interface RouteContext {
  /** Runs an effect with the platform's services; a failure rejects with the typed error. */
  run<A, E>(effect: Effect.Effect<A, E, PluginServices>): Promise<A>;
}

export interface PluginApi {
  readonly pluginId: string;
  /** Declares event types this plugin owns (their schemas, families and upcasters). */
  events(...definitions: ReadonlyArray<AnyEventDefinition>): void;
  /**
   * Subscribes a handler to an event type. Handlers run in this plugin's consumer group,
   * at least once per event, deduplicated by event id; a failure is retried, then dead-lettered.
   */
  on<D extends AnyEventDefinition>(
    definition: D,
    handler: (event: EventOf<D>) => Effect.Effect<void, unknown, PluginServices>,
  ): void;
  /**
   * Like `on`, but the handler gets a run: consecutive events of this type with one
   * message key (one stream), from one batch, in order (often one event). For handlers
   * that load and save state per stream: one load and one save per run instead of per
   * event. A run that fails after its retries is handed over again one event at a time
   * (runs of one), so only the event that keeps failing is dead-lettered; the handler
   * must be idempotent per event, as every handler must.
   *
   * @example
   * api.onRun(TelemetryRecorded, (events) => evaluateReadings(events.map(readingOf)));
   */
  onRun<D extends AnyEventDefinition>(
    definition: D,
    handler: (events: ReadonlyArray<EventOf<D>>) => Effect.Effect<void, unknown, PluginServices>,
  ): void;
  /** Contributes HTTP routes (mounted at the root: use full paths such as /v1/devices). */
  routes(build: (context: RouteContext) => Hono): void;
  /** Describes routes for /openapi.json with the Schemas they decode with. */
  openapi(...operations: ReadonlyArray<OperationSpec>): void;
  /** Declares a read model kept up to date from events (see core/projections). */
  projection(projection: AnyProjection): void;
  /** Declares an extension point this plugin owns; read its contributions at run time. */
  extensionPoint<T>(point: ExtensionPoint<T>): ExtensionContributions<T>;
  /** Contributes a value to another plugin's extension point (declare it in `dependsOn`). */
  extend<T>(point: ExtensionPoint<T>, value: T): void;
  /**
   * Runs `effect` for the life of every worker process that runs this plugin's handlers
   * (forked in the worker's scope, interrupted at shutdown). It should loop by itself and
   * survive its own failures; if it ends, it is not restarted.
   *
   * @example
   * api.background("alert-rules ticker", runAlertTicker(types, { intervalMs: 5_000, lagMs: 60_000 }));
   */
  background(name: string, effect: Effect.Effect<void, never, PluginServices>): void;
}

/** A plugin's background work, as the loader collects it. */
export interface BackgroundTask {
  readonly name: string;
  readonly effect: Effect.Effect<void, never, PluginServices>;
}

export interface Plugin {
  readonly id: string;
  readonly dependsOn?: ReadonlyArray<string> | undefined;
  readonly register: (api: PluginApi) => void;
}

/**
 * @example
 * export const devicesPlugin = definePlugin({
 *   id: "devices",
 *   register(api) {
 *     api.events(DeviceRegistered, DeviceDecommissioned);
 *     api.projection(devicesProjection);
 *     api.routes((context) => deviceRoutes(context));
 *   },
 * });
 */
export const definePlugin = (plugin: Plugin): Plugin => plugin;

/** Plugin ids: lower-case words with dashes, used in consumer group and collection names. */
export const isValidPluginId = (id: string): boolean => /^[a-z][a-z0-9-]{0,62}$/.test(id);
