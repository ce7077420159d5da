/**
 * Trace context across the event path, on the in-memory layers: appended events carry
 * the appending span as traceparent, a producer span per trace replaces it in Kafka
 * headers, and the consumer's spans continue the trace from the header.
 */
import { assert, describe, it } from "@effect/vitest";
import { Deferred, Effect, Layer, Option, Schema, Tracer } from "effect";
import { EventBus, type OutgoingMessage } from "../../core/bus/EventBus.ts";
import { layerMemory as busMemory } from "../../core/bus/EventBusMemory.ts";
import { EventHeaders, eventToMessage } from "../../core/bus/eventMessages.ts";
import { runConsumerGroup } from "../../core/consuming/ConsumerRunner.ts";
import { DeadLetters } from "../../core/consuming/DeadLetters.ts";
import { ProcessedEvents } from "../../core/consuming/ProcessedEvents.ts";
import { defineEvent } from "../../core/events/defineEvent.ts";
import type { EventEnvelope, StreamId, TenantId } from "../../core/events/EventEnvelope.ts";
import { EventRegistry } from "../../core/events/EventRegistry.ts";
import { withProducerSpans } from "../../core/observability/messagingSpans.ts";
import { formatTraceparent, parseTraceparent } from "../../core/observability/traceContext.ts";
import { EventWriter } from "../../core/publishing/EventWriter.ts";
import { Publisher } from "../../core/publishing/Publisher.ts";
import { layerMemory as storeMemory } from "../../core/store/EventStoreMemory.ts";
import { recordingTracer } from "./recordingTracer.ts";

const Pinged = defineEvent({ type: "Pinged", family: "pings", payload: Schema.Struct({ n: Schema.Number }) });
const tenantId = "tenant-a" as TenantId;
const remote = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
const otherTrace = "00-11111111111111111111111111111111-2222222222222222-01";

const traceOf = (traceparent: string | null | undefined) => Option.getOrThrow(parseTraceparent(traceparent));
const parentOf = (span: Tracer.Span | undefined) => Option.getOrThrow(span?.parent ?? Option.none());

const message = (topic: string, traceparent?: string): OutgoingMessage => ({
  topic,
  key: "k",
  value: "{}",
  headers: traceparent === undefined ? {} : { [EventHeaders.traceparent]: traceparent },
});

describe("withProducerSpans", () => {
  it.effect("sends each trace's messages under one producer span that their headers name", () =>
    Effect.gen(function* () {
      const { tracer, ended } = recordingTracer();
      let sent: ReadonlyArray<OutgoingMessage> = [];
      yield* withProducerSpans([message("t", remote), message("t", remote), message("t")], (traced) =>
        Effect.sync(() => {
          sent = traced;
        }),
      ).pipe(Effect.withTracer(tracer));

      const [span] = ended;
      assert.strictEqual(ended.length, 1);
      assert.strictEqual(span?.name, "send t");
      assert.strictEqual(span?.kind, "producer");
      assert.strictEqual(span?.attributes.get("messaging.batch.message_count"), 2);
      assert.strictEqual(parentOf(span).spanId, traceOf(remote).spanId);
      const expected = formatTraceparent({
        traceId: traceOf(remote).traceId,
        spanId: span?.spanId ?? "",
        sampled: true,
      });
      assert.deepStrictEqual(
        sent.map((m) => m.headers[EventHeaders.traceparent]),
        [expected, expected, undefined],
      );
    }),
  );
});

const writerLayer = EventWriter.layer.pipe(
  Layer.provideMerge(Publisher.layer()),
  Layer.provideMerge(Layer.mergeAll(storeMemory, busMemory, EventRegistry.layer("test", [Pinged]))),
);

describe("EventWriter", () => {
  it.effect("stamps the appending span on events, keeps another trace's, moves an inherited one down", () =>
    Effect.gen(function* () {
      const { tracer, ended } = recordingTracer();
      const writer = yield* EventWriter;
      const cause: EventEnvelope = {
        ...Pinged.make({ n: 0 }, { tenantId, traceparent: remote }),
        streamId: "s" as StreamId,
        streamVersion: 1,
        recordedAt: new Date().toISOString(),
      };
      const stored = yield* writer
        .append("s" as StreamId, "any", [
          Pinged.make({ n: 1 }, { tenantId }),
          Pinged.make({ n: 2 }, { tenantId, traceparent: otherTrace }),
        ])
        .pipe(Effect.withSpan("route"), Effect.withTracer(tracer));
      const appendSpan = ended.find((span) => span.name === "EventWriter.append");
      assert.strictEqual(stored[0]?.traceparent, appendSpan && formatTraceparent(appendSpan));
      assert.strictEqual(stored[1]?.traceparent, otherTrace);

      // A handler's follow-up inherits its cause's traceparent; the writer moves it to the handler's span.
      const [followUp] = yield* writer
        .append("s" as StreamId, "any", [Pinged.make({ n: 3 }, { tenantId, causedBy: cause })])
        .pipe(
          Effect.withSpan("handler"),
          Effect.withParentSpan(Tracer.externalSpan(traceOf(remote))),
          Effect.withTracer(tracer),
        );
      assert.strictEqual(traceOf(followUp?.traceparent).traceId, traceOf(remote).traceId);
      assert.notStrictEqual(followUp?.traceparent, remote);
    }).pipe(Effect.provide(writerLayer)),
  );
});

describe("ConsumerRunner", () => {
  it.live("continues the trace of the message's traceparent header with messaging attributes", () => {
    const { tracer, ended } = recordingTracer();
    return Effect.gen(function* () {
      const seen = yield* Deferred.make<Tracer.Span>();
      const handler = {
        definition: Pinged,
        handle: () => Effect.flatMap(Effect.currentSpan, (span) => Deferred.succeed(seen, span)),
      };
      yield* runConsumerGroup(
        { pluginId: "pinger", groupId: "g-trace", handlers: [handler] },
        {
          maxAttempts: 1,
          baseDelayMs: 1,
          maxDelayMs: 1,
        },
      );
      const registry = yield* EventRegistry;
      const event: EventEnvelope = {
        ...Pinged.make({ n: 1 }, { tenantId, traceparent: remote }),
        streamId: "s" as StreamId,
        streamVersion: 1,
        recordedAt: new Date().toISOString(),
      };
      yield* (yield* EventBus).publish([eventToMessage(registry, event)]);
      const handlerSpan = yield* Deferred.await(seen);
      assert.strictEqual(handlerSpan.name, "pinger handle Pinged");
      assert.strictEqual(handlerSpan.traceId, traceOf(remote).traceId);
      const consumerSpan = yield* Effect.suspend(() =>
        Effect.succeed(ended.find((span) => span.name === "process test.pings")),
      ).pipe(Effect.repeat({ until: (span) => span !== undefined, times: 100 }));
      assert.strictEqual(consumerSpan?.kind, "consumer");
      assert.strictEqual(parentOf(consumerSpan).spanId, traceOf(remote).spanId);
      assert.strictEqual(parentOf(handlerSpan).spanId, consumerSpan?.spanId);
      assert.strictEqual(consumerSpan?.attributes.get("messaging.system"), "kafka");
      assert.strictEqual(consumerSpan?.attributes.get("messaging.consumer.group.name"), "g-trace");
      assert.strictEqual(consumerSpan?.attributes.get("messaging.message.id"), event.id);
    }).pipe(
      Effect.scoped,
      Effect.withTracer(tracer),
      Effect.provide(
        Layer.mergeAll(
          busMemory,
          EventRegistry.layer("test", [Pinged]),
          ProcessedEvents.layerMemory,
          DeadLetters.layerMemory,
        ),
      ),
    );
  });
});
