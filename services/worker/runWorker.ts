/**
 * The worker's share of a process: one consumer group per plugin that handles events,
 * each in its own fiber, so one plugin's failures never stop another's; and every
 * plugin's projections, each in its own group (all of them, whatever CONSUMER_TYPE says:
 * read models are cheap and every mode may serve them); and the background work of the
 * plugins whose handlers it runs, each in its own fiber for the life of the process.
 */
import { Effect, Schedule } from "effect";
import {
  type AppConfigValues,
  EventRegistry,
  type LoadedPlugins,
  ProcessedEvents,
  runConsumerGroup,
} from "../../core/index.ts";
import { runProjections, topicsFromRegistry } from "../../core/projections/ProjectionRunner.ts";

/** The Python system's CONSUMER_TYPE names, mapped to the plugins that replace them. */
const pythonConsumerTypes: Readonly<Record<string, string>> = {
  fetch_external_source: "external-source",
  alert_evaluator: "alert-rules",
};

/** Which plugins' handlers this process runs: all, or the one CONSUMER_TYPE names. */
export const selectConsumingPlugins = (config: AppConfigValues, loaded: LoadedPlugins) => {
  const wanted =
    config.CONSUMER_TYPE === undefined
      ? undefined
      : (pythonConsumerTypes[config.CONSUMER_TYPE] ?? config.CONSUMER_TYPE);
  return loaded.plugins.filter(
    (plugin) =>
      (plugin.handlers.length > 0 || plugin.background.length > 0) && (wanted === undefined || plugin.id === wanted),
  );
};

/**
 * Forgets, every 10 minutes, the handled-event marks older than the retention: they only
 * guard against redeliveries, which come within minutes, and would otherwise grow with
 * every event (each group's dedupe query reads them on FerretDB, which scans).
 */
const pruneProcessedMarks = (retentionMs: number) =>
  ProcessedEvents.use((processed) => processed.prune(new Date(Date.now() - retentionMs))).pipe(
    Effect.tap((pruned) => (pruned > 0 ? Effect.logInfo(`pruned ${pruned} handled-event marks`) : Effect.void)),
    Effect.catch((error) => Effect.logWarning("pruning handled-event marks failed; retrying later", error)),
    Effect.repeat(Schedule.spaced("10 minutes")),
    Effect.withTracerEnabled(false),
  );

export const runWorker = Effect.fn("runWorker")(function* (config: AppConfigValues, loaded: LoadedPlugins) {
  const plugins = selectConsumingPlugins(config, loaded);
  const policy = {
    maxAttempts: config.ANANSKY_HANDLER_MAX_ATTEMPTS,
    baseDelayMs: config.ANANSKY_HANDLER_RETRY_BASE_MS,
    maxDelayMs: 30_000,
  };
  yield* Effect.forEach(
    plugins.filter((plugin) => plugin.handlers.length > 0),
    (plugin) =>
      runConsumerGroup(
        { pluginId: plugin.id, groupId: `${config.KAFKA_GROUP_ID}.${plugin.id}`, handlers: plugin.handlers },
        policy,
      ),
    { concurrency: "unbounded", discard: true },
  );
  for (const plugin of plugins) {
    for (const task of plugin.background) {
      yield* Effect.forkScoped(
        task.effect.pipe(
          Effect.catchCause((cause) => Effect.logError(`${plugin.id}: background ${task.name} stopped`, cause)),
          Effect.withSpan(`${plugin.id} background ${task.name}`),
        ),
      );
    }
  }
  yield* Effect.forkScoped(pruneProcessedMarks(config.ANANSKY_PROCESSED_RETENTION_MS));
  const projections = loaded.plugins.flatMap((plugin) => plugin.projections);
  yield* runProjections(projections, {
    groupPrefix: config.KAFKA_GROUP_ID,
    topicsFor: topicsFromRegistry(yield* EventRegistry),
  });
  yield* Effect.logInfo(`worker consuming for ${plugins.map((p) => p.id).join(", ") || "no plugin"}`);
});
