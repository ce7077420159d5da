/**
 * The platform services alert-rules uses, in memory, for unit tests: a fresh event store
 * and read-model store per build and an EventWriter that appends directly (no Kafka).
 * Plus fixtures: a tenant, readings as stored TelemetryRecorded events, rules in `rm_rules`.
 */
import { Effect, Layer, Option, Stream } from "effect";
import {
  AppConfig,
  applyProjectionBatch,
  type EventEnvelope,
  EventRegistry,
  EventStore,
  EventWriter,
  OutboundHttp,
  type PluginServices,
  ReadModelStore,
  type StreamId,
  type TenantId,
} from "../../core/index.ts";
import { layerMemory as readModelsInMemory } from "../../core/projections/ReadModelStoreMemory.ts";
import { layerMemory as eventsInMemory } from "../../core/store/EventStoreMemory.ts";
import { alertEvents, alertStreamId } from "../../plugins/alert-rules/alertEvents.ts";
import { alertsProjection } from "../../plugins/alert-rules/alertsProjection.ts";
import { type ConditionTypes, makeConditionTypes } from "../../plugins/alert-rules/conditionTypes.ts";
import type { Rule } from "../../plugins/alert-rules/engineApi.ts";
import { notificationEvents } from "../../plugins/alert-rules/notificationEvents.ts";
import { createRule } from "../../plugins/alert-rules/ruleCommands.ts";
import { ruleEvents } from "../../plugins/alert-rules/ruleEvents.ts";
import { makeRuleLookup } from "../../plugins/alert-rules/ruleLookup.ts";
import { type RuleDocument, ruleDocumentId, rulesCollection } from "../../plugins/alert-rules/rulesProjection.ts";
import { silenceEvents } from "../../plugins/alert-rules/silenceEvents.ts";
import { readingOf } from "../../plugins/alert-rules/telemetryInputs.ts";
import { TelemetryEnriched } from "../../plugins/external-source/index.ts";
import { readingsProjection, TelemetryRecorded, telemetryStreamId } from "../../plugins/ingest/index.ts";

export const tenantId = "acme" as TenantId;

const writeDirectly = Layer.effect(
  EventWriter,
  Effect.map(EventStore, (store) =>
    EventWriter.of({
      append: (streamId, expectedVersion, events) => store.appendToStream(streamId, expectedVersion, events),
      appendBatch: (appends) => store.appendBatch(appends),
    }),
  ),
);

/**
 * @example
 * it.effect("…", () => Effect.gen(function* () { … }).pipe(Effect.provide(alertRulesTestLayer())));
 */
export const alertRulesTestLayer = (): Layer.Layer<PluginServices> =>
  Layer.mergeAll(
    writeDirectly,
    readModelsInMemory,
    EventRegistry.layer("test", [
      TelemetryRecorded,
      TelemetryEnriched,
      ...ruleEvents,
      ...alertEvents,
      ...silenceEvents,
      ...notificationEvents,
    ]),
    OutboundHttp.layerRefuseAll,
    AppConfig.fromEnv({ MONGODB_URI: "mongodb://unused", KAFKA_BOOTSTRAP_SERVERS: "unused:9092" }).pipe(Layer.orDie),
  ).pipe(Layer.provideMerge(eventsInMemory));

/** Built-in condition types only. */
export const types: ConditionTypes = makeConditionTypes({ all: () => [] });

export const lookup = () => makeRuleLookup({ ttlMs: 0 }, types);

/** A threshold rule on `temp` over every device, with optional extra fields. */
export const thresholdRule = (ruleId: string, threshold: number, extra: Record<string, unknown> = {}) => ({
  ruleId,
  name: `temp above ${threshold}`,
  severity: "major",
  scope: { allDevices: true },
  condition: { type: "threshold", value: { source: "reading", key: "temp" }, op: ">", threshold },
  ...extra,
});

/**
 * Creates a rule through the command (events + `rm_rules`) and returns its document.
 *
 * @example
 * const rule = yield* givenRule(thresholdRule("hot", 30));
 */
export const givenRule = (body: Record<string, unknown>) =>
  Effect.gen(function* () {
    const rule: Rule = yield* createRule(tenantId, body, types);
    const store = yield* ReadModelStore;
    const doc = yield* store.get(rulesCollection, ruleDocumentId(tenantId, rule.ruleId));
    return Option.getOrThrow(doc) as unknown as RuleDocument;
  });

/**
 * Appends one reading of a device (as ingest does) and returns it decoded for the evaluator.
 *
 * @example
 * const reading = yield* givenReading("pump-1", 1_000, { temp: 31 });
 */
export const givenReading = (deviceId: string, tsMs: number, values: Record<string, number | string | boolean>) =>
  Effect.gen(function* () {
    const store = yield* EventStore;
    const ts = new Date(tsMs).toISOString();
    const [stored] = yield* store.appendToStream(telemetryStreamId(tenantId, deviceId), "any", [
      TelemetryRecorded.make({ deviceId, ts, values }, { tenantId, occurredAt: ts }),
    ]);
    const event = yield* TelemetryRecorded.decode(stored as EventEnvelope);
    yield* applyProjectionBatch(readingsProjection, [stored as EventEnvelope]);
    return readingOf(event, "recorded");
  });

/** Decodes stored TelemetryEnriched envelopes for gap filling. */
export const decodeEnriched = (envelope: EventEnvelope) =>
  TelemetryEnriched.is(envelope)
    ? TelemetryEnriched.decode(envelope).pipe(
        Effect.map((event) => readingOf(event, "enriched")),
        Effect.orElseSucceed(() => undefined),
      )
    : Effect.succeed(undefined);

/** Decodes stored TelemetryRecorded envelopes for gap filling. */
export const decodeRecorded = (envelope: EventEnvelope) =>
  TelemetryRecorded.is(envelope)
    ? TelemetryRecorded.decode(envelope).pipe(
        Effect.map((event) => readingOf(event, "recorded")),
        Effect.orElseSucceed(() => undefined),
      )
    : Effect.succeed(undefined);

/**
 * The alert stream of a (rule, device): its events' types and payloads, in order.
 *
 * @example
 * const events = yield* alertHistory("hot", "pump-1");
 */
export const alertHistory = (ruleId: string, deviceId: string) =>
  Effect.gen(function* () {
    const store = yield* EventStore;
    const events = yield* Stream.runCollect(store.readStream(alertStreamId(tenantId, ruleId, deviceId)));
    return events.map((event) => ({
      type: event.type,
      id: event.id,
      payload: event.payload as Record<string, unknown>,
    }));
  });

/** Every stored event of a stream. */
export const streamEvents = (streamId: string) =>
  Effect.flatMap(EventStore, (store) => Stream.runCollect(store.readStream(streamId as StreamId)));

/** Folds every alert event into `rm_alerts` (what the projection runner does live). */
export const projectAlerts = Effect.gen(function* () {
  const store = yield* EventStore;
  const events = yield* Stream.runCollect(store.readAll({ types: alertEvents.map((e) => e.type) }));
  yield* applyProjectionBatch(alertsProjection, events);
});
