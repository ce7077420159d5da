/** From an alert-like event back to the reading that caused it, through causation ids. */
import { assert, describe, it } from "@effect/vitest";
import { Effect, Schema } from "effect";
import {
  defineEvent,
  type EventEnvelope,
  EventStore,
  newEventId,
  type PendingEvent,
  type StreamId,
  type TenantId,
} from "../../core/index.ts";
import { layerMemory } from "../../core/store/EventStoreMemory.ts";
import { eventTrace } from "../../observability/eventTrace.ts";

const Reading = defineEvent({ type: "Reading", family: "t", payload: Schema.Struct({ value: Schema.Number }) });
const Alert = defineEvent({ type: "Alert", family: "a", payload: Schema.Struct({ rule: Schema.String }) });
const Notified = defineEvent({ type: "Notified", family: "a", payload: Schema.Struct({ ok: Schema.Boolean }) });
const tenantId = "tenant-a" as TenantId;
const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

const append = (streamId: string, events: ReadonlyArray<PendingEvent>) =>
  EventStore.use((store) => store.appendToStream(streamId as StreamId, "any", events));

describe("eventTrace", () => {
  it.effect("returns the trace id and the causation chain, root first, with what the event caused", () =>
    Effect.gen(function* () {
      const [reading] = yield* append("device-1", [Reading.make({ value: 99 }, { tenantId, traceparent })]);
      const [alert] = yield* append("alert-1", [
        Alert.make({ rule: "too-hot" }, { tenantId, causedBy: reading as EventEnvelope, idempotencyKey: "r1" }),
      ]);
      yield* append("alert-1", [
        Notified.make({ ok: true }, { tenantId, causedBy: alert as EventEnvelope, idempotencyKey: "n1" }),
      ]);

      const trace = yield* eventTrace(alert?.id ?? "");
      assert.strictEqual(trace.traceId, "0af7651916cd43dd8448eb211c80319c");
      assert.deepStrictEqual(
        trace.chain.map((event) => event.type),
        ["Reading", "Alert"],
      );
      assert.strictEqual(trace.chain[0]?.id, reading?.id);
      assert.deepStrictEqual(trace.traceIds, ["0af7651916cd43dd8448eb211c80319c"]);
      assert.isFalse(trace.truncated);
      assert.deepStrictEqual(
        trace.causedEvents.map((event) => event.type),
        ["Notified"],
      );
    }).pipe(Effect.provide(layerMemory)),
  );

  it.effect("fails with NotFound for an unknown or malformed id", () =>
    Effect.gen(function* () {
      const unknown = yield* Effect.flip(eventTrace(newEventId(Date.now())));
      assert.strictEqual(unknown._tag, "NotFound");
      const malformed = yield* Effect.flip(eventTrace("not-an-id"));
      assert.strictEqual(malformed._tag, "NotFound");
    }).pipe(Effect.provide(layerMemory)),
  );

  it.effect("says when the chain is cut short (a cause missing from the store)", () =>
    Effect.gen(function* () {
      const orphanCause = {
        ...Reading.make({ value: 1 }, { tenantId }),
        streamId: "x" as StreamId,
        streamVersion: 1,
        recordedAt: new Date().toISOString(),
      };
      const [alert] = yield* append("alert-2", [
        Alert.make({ rule: "r" }, { tenantId, causedBy: orphanCause, idempotencyKey: "o" }),
      ]);
      const trace = yield* eventTrace(alert?.id ?? "");
      assert.isTrue(trace.truncated);
      assert.strictEqual(trace.chain.length, 1);
      assert.isNull(trace.traceId);
    }).pipe(Effect.provide(layerMemory)),
  );
});
