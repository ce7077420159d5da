// The sweeper re-publishes what nobody is publishing, never what this process has queued.
import { assert, describe, it } from "@effect/vitest";
import { Deferred, Effect, Layer, Schema } from "effect";
import { EventBus } from "../bus/EventBus.ts";
import { layerMemory as busMemory } from "../bus/EventBusMemory.ts";
import { EventHeaders } from "../bus/eventMessages.ts";
import { defineEvent } from "../events/defineEvent.ts";
import type { StreamId, TenantId } from "../events/EventEnvelope.ts";
import { EventRegistry } from "../events/EventRegistry.ts";
import { EventStore } from "../store/EventStore.ts";
import { layerMemory as storeMemory } from "../store/EventStoreMemory.ts";
import { Publisher } from "./Publisher.ts";

const Pinged = defineEvent({ type: "Pinged", family: "pings", payload: Schema.Struct({ n: Schema.Number }) });
const meta = { tenantId: "tenant-a" as TenantId };

/** A bus whose publishes are counted per event id and wait until `gate` opens. */
const gatedBus = (gate: Deferred.Deferred<void>, published: Map<string, number>) =>
  Layer.effect(
    EventBus,
    Effect.gen(function* () {
      const inner = yield* EventBus;
      return EventBus.of({
        ...inner,
        publish: (messages) =>
          Effect.gen(function* () {
            for (const message of messages) {
              const id = message.headers[EventHeaders.eventId] ?? "";
              published.set(id, (published.get(id) ?? 0) + 1);
            }
            yield* Deferred.await(gate);
            yield* inner.publish(messages);
          }),
      });
    }),
  ).pipe(Layer.provide(busMemory));

describe("Publisher", () => {
  it.live(
    "given events this process queued and is still publishing, when the sweeper runs, then it leaves them to the queue",
    () =>
      Effect.gen(function* () {
        const gate = yield* Deferred.make<void>();
        const published = new Map<string, number>();
        const layer = Publisher.layer({ sweepAfterMs: 1, sweepIntervalMs: 3_600_000 }).pipe(
          Layer.provideMerge(
            Layer.mergeAll(storeMemory, gatedBus(gate, published), EventRegistry.layer("test", [Pinged])),
          ),
        );
        yield* Effect.gen(function* () {
          const store = yield* EventStore;
          const publisher = yield* Publisher;
          const stored = yield* store.appendToStream("pings-1" as StreamId, 0, [
            Pinged.make({ n: 1 }, meta),
            Pinged.make({ n: 2 }, meta),
          ]);
          yield* publisher.enqueue(stored);
          // The queue's publish is under way (and held at the gate) before the sweep.
          while (published.size < stored.length) yield* Effect.yieldNow;
          yield* Effect.sleep("5 millis");
          assert.strictEqual(yield* publisher.sweepOnce, 0);
          assert.deepStrictEqual([...published.values()], [1, 1]);
          yield* Deferred.succeed(gate, undefined);
          const deadline = Date.now() + 5_000;
          while ((yield* store.unpublished({ recordedBefore: new Date(Date.now() + 60_000), limit: 10 })).length > 0) {
            if (Date.now() > deadline) assert.fail("the queue did not publish");
            yield* Effect.sleep("10 millis");
          }
          assert.deepStrictEqual([...published.values()], [1, 1]);
          // Nothing in flight any more: a stale event is the sweeper's again.
          const [late] = yield* store.appendToStream("pings-1" as StreamId, 2, [Pinged.make({ n: 3 }, meta)]);
          yield* Effect.sleep("5 millis");
          assert.strictEqual(yield* publisher.sweepOnce, 1);
          assert.strictEqual(published.get(late?.id ?? ""), 1);
        }).pipe(Effect.provide(layer));
      }),
  );
});
