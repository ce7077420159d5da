/**
 * The platform's metrics, defined once with Effect's Metric API so core and plugins
 * record into the same instruments (Deno-compatible: no OpenTelemetry here). The
 * process's OpenTelemetry bootstrap (observability/) exports them over OTLP and
 * Prometheus; names follow Prometheus conventions (base units, `_total` is added to
 * counters by the exporter).
 *
 * @example
 * import { recordIngestRejected, recordReadingsIngested } from "../../core/index.ts";
 * yield* recordReadingsIngested(accepted.length);
 * yield* recordIngestRejected("invalid_payload", rejected.length);
 */
import { Duration, Effect, Exit, Metric } from "effect";

/** Latency buckets in seconds: 1 ms to 30 s. */
export const latencyBucketsSeconds: ReadonlyArray<number> = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

const counter = (name: string, description: string) => Metric.counter(name, { description, incremental: true });
const latency = (name: string, description: string) =>
  Metric.histogram(name, { description, boundaries: latencyBucketsSeconds });

/** Every instrument, for dashboards, tests and plugins that need more than the helpers below. */
export const PlatformMetrics = {
  readingsIngested: counter("anansky_ingest_readings", "Readings accepted by ingest"),
  ingestRejections: counter("anansky_ingest_rejections", "Readings rejected by ingest, by reason"),
  appendDuration: latency("anansky_event_append_duration_seconds", "Event store append latency, by operation"),
  eventsAppended: counter("anansky_events_appended", "Events appended to the store, by event type"),
  unpublishedEvents: Metric.gauge("anansky_events_unpublished", {
    description: "Events stored but not yet acknowledged by Kafka (the outbox)",
  }),
  eventsPublished: counter("anansky_events_published", "Events published to Kafka"),
  publishFailures: counter("anansky_publish_failures", "Failed Kafka publishes (the sweeper retries them)"),
  consumerLag: Metric.gauge("anansky_consumer_lag", {
    description: "Messages not yet committed, by consumer group, topic and partition",
  }),
  handlerDuration: latency(
    "anansky_handler_duration_seconds",
    "Handler latency per call (one event, or a run of one stream's events), by plugin and outcome",
  ),
  handlerFailures: counter("anansky_handler_failures", "Failed handler attempts, by plugin and event type"),
  deadLetters: counter("anansky_dead_letters", "Messages dead-lettered, by plugin and consumer group"),
  externalSourceDuration: latency(
    "anansky_external_source_request_duration_seconds",
    "External source request latency, by source and outcome",
  ),
  circuitState: Metric.gauge("anansky_external_source_circuit_state", {
    description: "Circuit breaker per external source: 0 closed, 1 half-open, 2 open",
  }),
  openAlerts: Metric.gauge("anansky_alerts_open", { description: "Open alerts, by severity" }),
} as const;

/**
 * Registers the label-less series so a scrape shows them (at 0) before any traffic.
 *
 * @example
 * yield* registerPlatformMetrics;
 */
export const registerPlatformMetrics: Effect.Effect<void> = Effect.all(
  [
    Metric.update(PlatformMetrics.readingsIngested, 0),
    Metric.update(PlatformMetrics.eventsPublished, 0),
    Metric.update(PlatformMetrics.publishFailures, 0),
  ],
  { discard: true },
);

const seconds = (duration: Duration.Duration): number => Duration.toMillis(duration) / 1_000;

const add = (metric: Metric.Counter<number>, attributes: Record<string, string>, amount: number) =>
  amount > 0 ? Metric.update(Metric.withAttributes(metric, attributes), amount) : Effect.void;

/**
 * Counts readings that ingest accepted (appended).
 *
 * @example
 * yield* recordReadingsIngested(stored.length);
 */
export const recordReadingsIngested = (count: number): Effect.Effect<void> =>
  add(PlatformMetrics.readingsIngested, {}, count);

/**
 * Counts readings ingest rejected; `reason` is a short stable code (bounded cardinality).
 *
 * @example
 * yield* recordIngestRejected("unknown_device");
 */
export const recordIngestRejected = (reason: string, count = 1): Effect.Effect<void> =>
  add(PlatformMetrics.ingestRejections, { reason }, count);

/** How a call to an external source ended. */
export type ExternalSourceOutcome = "ok" | "error" | "timeout" | "circuit_open";

/**
 * Records one external source request's latency and outcome.
 *
 * @example
 * yield* recordExternalSourceCall("weather", "ok", 84);
 */
export const recordExternalSourceCall = (
  source: string,
  outcome: ExternalSourceOutcome,
  durationMs: number,
): Effect.Effect<void> =>
  Metric.update(Metric.withAttributes(PlatformMetrics.externalSourceDuration, { source, outcome }), durationMs / 1_000);

/** Runs `effect`, then `record` with whether it failed and how long it took (ms). */
const timed =
  (record: (failed: boolean, durationMs: number) => Effect.Effect<void>) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.clockWith((clock) => {
      const startedAt = clock.currentTimeMillisUnsafe();
      return Effect.onExit(effect, (exit) => record(Exit.isFailure(exit), clock.currentTimeMillisUnsafe() - startedAt));
    });

/**
 * Times `effect` as a request to `source`: "ok" on success, "error" otherwise.
 *
 * @example
 * const reading = yield* fetchWeather(deviceId).pipe(timeExternalSourceCall("weather"));
 */
export const timeExternalSourceCall = (source: string) =>
  timed((failed, durationMs) => recordExternalSourceCall(source, failed ? "error" : "ok", durationMs));

/** A circuit breaker's state; exported as 0, 1, 2. */
export type CircuitState = "closed" | "half-open" | "open";

const circuitStateValue: Record<CircuitState, number> = { closed: 0, "half-open": 1, open: 2 };

/**
 * Publishes an external source's circuit breaker state.
 *
 * @example
 * yield* recordCircuitState("weather", "open");
 */
export const recordCircuitState = (source: string, state: CircuitState): Effect.Effect<void> =>
  Metric.update(Metric.withAttributes(PlatformMetrics.circuitState, { source }), circuitStateValue[state]);

/**
 * Publishes how many alerts are open with one severity (set it from the alerts read model).
 *
 * @example
 * yield* recordOpenAlerts("critical", 3);
 */
export const recordOpenAlerts = (severity: string, count: number): Effect.Effect<void> =>
  Metric.update(Metric.withAttributes(PlatformMetrics.openAlerts, { severity }), count);

/**
 * Records an event store append's latency under `operation` and counts what it stored.
 *
 * @example
 * store.appendToStream(streamId, 0, events).pipe(trackAppend("append", (stored) => stored.map((e) => e.type)));
 */
export const trackAppend =
  <A>(operation: string, storedTypes: (result: A) => ReadonlyArray<string>) =>
  <E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    effect.pipe(
      Effect.tap((result) => {
        const perType = new Map<string, number>();
        for (const type of storedTypes(result)) perType.set(type, (perType.get(type) ?? 0) + 1);
        return Effect.forEach(
          perType,
          ([type, count]) => add(PlatformMetrics.eventsAppended, { event_type: type }, count),
          {
            discard: true,
          },
        );
      }),
      Effect.trackDuration(Metric.withAttributes(PlatformMetrics.appendDuration, { operation }), seconds),
    );

/**
 * Records one event's handling by a plugin: latency, and a failure when it failed.
 *
 * @example
 * yield* recordHandled({ plugin: "alert-rules", eventType: "TelemetryRecorded", failed: false, durationMs: 12 });
 */
export const recordHandled = (handled: {
  readonly plugin: string;
  readonly eventType: string;
  readonly failed: boolean;
  readonly durationMs: number;
}): Effect.Effect<void> => {
  const attributes = { plugin: handled.plugin, event_type: handled.eventType };
  return Effect.andThen(
    Metric.update(
      Metric.withAttributes(PlatformMetrics.handlerDuration, {
        ...attributes,
        outcome: handled.failed ? "failed" : "ok",
      }),
      handled.durationMs / 1_000,
    ),
    handled.failed ? add(PlatformMetrics.handlerFailures, attributes, 1) : Effect.void,
  );
};

/**
 * Times one attempt of a plugin's handlers on one event (latency, and a failure when it failed).
 *
 * @example
 * yield* handler.handle(event).pipe(trackHandling("alert-rules", event.type));
 */
export const trackHandling = (plugin: string, eventType: string) =>
  timed((failed, durationMs) => recordHandled({ plugin, eventType, failed, durationMs }));

/**
 * Counts a dead-lettered message.
 *
 * @example
 * yield* recordDeadLetter("alert-rules", "anansky.alert-rules");
 */
export const recordDeadLetter = (plugin: string, group: string): Effect.Effect<void> =>
  add(PlatformMetrics.deadLetters, { plugin, group }, 1);

/**
 * Counts events Kafka acknowledged, or a publish that failed.
 *
 * @example
 * yield* recordPublished(events.length);
 */
export const recordPublished = (count: number): Effect.Effect<void> => add(PlatformMetrics.eventsPublished, {}, count);

/** @example yield* recordPublishFailure; */
export const recordPublishFailure: Effect.Effect<void> = add(PlatformMetrics.publishFailures, {}, 1);

/**
 * Sets the unpublished-event backlog.
 *
 * @example
 * yield* recordUnpublishedBacklog(42);
 */
export const recordUnpublishedBacklog = (count: number): Effect.Effect<void> =>
  Metric.update(PlatformMetrics.unpublishedEvents, count);

/**
 * Sets one partition's consumer lag.
 *
 * @example
 * yield* recordConsumerLag("anansky.alert-rules", "anansky.telemetry", 0, 12);
 */
export const recordConsumerLag = (group: string, topic: string, partition: number, lag: number): Effect.Effect<void> =>
  Metric.update(
    Metric.withAttributes(PlatformMetrics.consumerLag, { group, topic, partition: String(partition) }),
    lag,
  );
