/**
 * Keeps projections up to date: at start each projection whose checkpoint is missing,
 * of another version, or left "rebuilding" by a crash is rebuilt from the event store;
 * then it follows its topics in its own consumer group, one batch at a time. Every
 * projection runs in its own fiber, so one that fails (its batch is redelivered with
 * backoff by the bus, uncommitted) never holds up another.
 */
import { Cause, Clock, Effect, Option, Ref, Schedule, type Scope } from "effect";
import type { EventBusUnavailable } from "../bus/Errors.ts";
import { EventBus, type IncomingMessage } from "../bus/EventBus.ts";
import { messageToEvent } from "../bus/eventMessages.ts";
import type { EventEnvelope } from "../events/EventEnvelope.ts";
import type { EventRegistryShape } from "../events/EventRegistry.ts";
import { withBatchSpan } from "../observability/messagingSpans.ts";
import { provideContextKeepingSpan } from "../observability/traceContext.ts";
import type { EventStore } from "../store/EventStore.ts";
import { applyProjectionBatch } from "./applyProjectionBatch.ts";
import type { AnyProjection } from "./defineProjection.ts";
import { type ProjectionCheckpoint, ReadModelStore } from "./ReadModelStore.ts";
import { type RebuildError, type RebuildProgress, rebuildProjection } from "./rebuildProjection.ts";

export { type RebuildOptions, type RebuildProgress, rebuildProjection } from "./rebuildProjection.ts";

export interface RunProjectionsOptions {
  /** Consumer groups are named `<groupPrefix>.projection.<name>`. */
  readonly groupPrefix: string;
  /** The topics events of these types are published to. */
  readonly topicsFor: (types: ReadonlyArray<string>) => ReadonlyArray<string>;
  /** Where rebuild progress goes (default: an info log line). */
  readonly onRebuildProgress?: ((progress: RebuildProgress) => Effect.Effect<void>) | undefined;
  readonly rebuildBatchSize?: number | undefined;
}

// A projection that cannot start (store or broker down) tries again, backing off to 30 s.
const startRetrySchedule = Schedule.min([Schedule.exponential("500 millis"), Schedule.spaced("30 seconds")]).pipe(
  Schedule.jittered,
);

const nowIso = Effect.map(Clock.currentTimeMillis, (millis) => new Date(millis).toISOString());

/**
 * `topicsFor` from an event registry: the distinct topics of the types' families.
 *
 * @example
 * yield* runProjections(projections, { groupPrefix: "anansky", topicsFor: topicsFromRegistry(registry) });
 */
export const topicsFromRegistry =
  (registry: EventRegistryShape) =>
  (types: ReadonlyArray<string>): ReadonlyArray<string> => [...new Set(types.map((type) => registry.topicFor(type)))];

const needsRebuild = (projection: AnyProjection, checkpoint: Option.Option<ProjectionCheckpoint>): boolean =>
  Option.match(checkpoint, {
    onNone: () => true,
    onSome: (current) => current.version !== projection.version || current.status !== "live",
  });

/** The envelopes of a batch; malformed messages are logged and skipped so the projection never stalls. */
const decodeMessages = (projection: AnyProjection, batch: ReadonlyArray<IncomingMessage>) =>
  Effect.forEach(batch, (message) =>
    messageToEvent(message).pipe(
      Effect.map((envelope): ReadonlyArray<EventEnvelope> => [envelope]),
      Effect.catch((error) =>
        Effect.logWarning(
          `projection ${projection.name}: skipping malformed message ${message.topic}/${message.partition}@${message.offset}: ${error.reason}`,
        ).pipe(Effect.as([])),
      ),
    ),
  ).pipe(Effect.map((envelopes) => envelopes.flat()));

/**
 * Brings one projection up to date, then follows its topics until the scope closes.
 *
 * @example
 * yield* runProjection(devicesProjection, { groupPrefix: "anansky", topicsFor });
 */
export const runProjection = Effect.fn("ProjectionRunner.runProjection")(function* (
  projection: AnyProjection,
  options: RunProjectionsOptions,
): Effect.fn.Return<void, RebuildError | EventBusUnavailable, ReadModelStore | EventStore | EventBus | Scope.Scope> {
  const store = yield* ReadModelStore;
  const bus = yield* EventBus;
  const onProgress =
    options.onRebuildProgress ??
    ((p: RebuildProgress) =>
      Effect.logInfo(
        `projection ${p.projection} rebuild${p.done ? " done" : ""}: ${p.eventsRead} events read, ${p.eventsApplied} applied, ${p.eventsPerSecond} events/s`,
      ));

  if (needsRebuild(projection, yield* store.getCheckpoint(projection.name))) {
    yield* rebuildProjection(projection, { onProgress, batchSize: options.rebuildBatchSize });
  }
  const initial = Option.getOrUndefined(yield* store.getCheckpoint(projection.name));
  const totals = yield* Ref.make({
    lastEventId: initial?.lastEventId ?? null,
    eventsApplied: initial?.eventsApplied ?? 0,
  });
  const types = new Set(projection.types);

  const handleBatch = Effect.fn("ProjectionRunner.handleBatch")(function* (batch: ReadonlyArray<IncomingMessage>) {
    const envelopes = yield* decodeMessages(projection, batch);
    const folded = envelopes.filter((envelope) => types.has(envelope.type));
    if (folded.length === 0) return;
    const outcome = yield* applyProjectionBatch(projection, envelopes);
    const next = yield* Ref.updateAndGet(totals, (current) => ({
      lastEventId: folded[folded.length - 1]?.id ?? current.lastEventId,
      eventsApplied: current.eventsApplied + outcome.eventsApplied,
    }));
    yield* store.setCheckpoint({
      name: projection.name,
      version: projection.version,
      status: "live",
      ...next,
      updatedAt: yield* nowIso,
    });
  });

  // The bus runs handlers without an environment: give them the one this projection started in.
  const context = yield* Effect.context<ReadModelStore | EventStore>();
  const topics = options.topicsFor(projection.types);
  const groupId = `${options.groupPrefix}.projection.${projection.name}`;
  yield* bus.ensureTopics(topics);
  yield* bus.subscribe(
    // One batch at a time: documents fed by several streams (partitions) are read-modified-written.
    { groupId, topics, concurrency: 1 },
    (batch) =>
      handleBatch(batch).pipe(
        // Continues the trace of the events it folds (links when the batch holds several).
        withBatchSpan(`project ${projection.name}`, batch, { "messaging.consumer.group.name": groupId }),
        Effect.tapCause((cause) =>
          Effect.logError(
            `projection ${projection.name}: batch failed, it will be delivered again`,
            Cause.pretty(cause),
          ),
        ),
        provideContextKeepingSpan(context),
      ),
  );
});

/**
 * Starts every projection in its own fiber, tied to the scope: a projection whose start
 * fails (store or broker unreachable, a bug in `apply` during its rebuild) is logged and
 * tried again with backoff (up to 30 s apart), the others go on.
 *
 * @example
 * yield* runProjections([devicesProjection, alertsProjection], { groupPrefix: "anansky", topicsFor: topicsFromRegistry(registry) });
 */
export const runProjections = Effect.fn("ProjectionRunner.start")(function* (
  projections: ReadonlyArray<AnyProjection>,
  options: RunProjectionsOptions,
): Effect.fn.Return<void, never, ReadModelStore | EventStore | EventBus | Scope.Scope> {
  for (const projection of projections) {
    yield* Effect.forkScoped(
      runProjection(projection, options).pipe(
        // Defects too (a bug in apply during the rebuild): retried with backoff, logged each time.
        Effect.sandbox,
        Effect.tapError((cause) =>
          Cause.hasInterruptsOnly(cause)
            ? Effect.void
            : Effect.logError(`projection ${projection.name} failed to start`, Cause.pretty(cause)),
        ),
        Effect.retry({ schedule: startRetrySchedule, while: (cause) => !Cause.hasInterruptsOnly(cause) }),
        Effect.ignore,
      ),
    );
  }
});
