// The sweeper re-publishes what nobody is publishing, never what this process has queued,
// and flags what may repeat; what Kafka acknowledged is marked published in batches.
import { assert, describe, it } from "@effect/vitest";
import { Deferred, Effect, Layer, Schema } from "effect";
import { EventBus } from "../bus/EventBus.ts";
import { layerMemory as busMemory } from "../bus/EventBusMemory.ts";
import { EventHeaders } from "../bus/eventMessages.ts";
import { defineEvent } from "../events/defineEvent.ts";
import type { StreamId, TenantId } from "../events/EventEnvelope.ts";
import type { EventId } from "../events/EventId.ts";
import { EventRegistry } from "../events/EventRegistry.ts";
import { EventStore } from "../store/EventStore.ts";
import { layerMemory as storeMemory } from "../store/EventStoreMemory.ts";
import { Publisher, type PublisherOptions } from "./Publisher.ts";

const Pinged = defineEvent({ type: "Pinged", family: "pings", payload: Schema.Struct({ n: Schema.Number }) });
const meta = { tenantId: "tenant-a" as TenantId };

/**
 * A bus whose publishes are counted per event id and wait until `gate` opens; the ids sent
 * flagged republished go to `republished` too.
 */
const gatedBus = (gate: Deferred.Deferred<void>, published: Map<string, number>, republished = new Set<string>()) =>
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
              if (message.headers[EventHeaders.republished] !== undefined) republished.add(id);
            }
            yield* Deferred.await(gate);
            yield* inner.publish(messages);
          }),
      });
    }),
  ).pipe(Layer.provide(busMemory));

/** The memory store, recording the ids of each markPublished call. */
const countingStore = (marks: Array<ReadonlyArray<EventId>>) =>
  Layer.effect(
    EventStore,
    Effect.gen(function* () {
      const inner = yield* EventStore;
      return EventStore.of({
        ...inner,
        markPublished: (ids) =>
          Effect.andThen(
            Effect.sync(() => marks.push([...ids])),
            inner.markPublished(ids),
          ),
      });
    }),
  ).pipe(Layer.provide(storeMemory));

const unpublishedCount = Effect.flatMap(EventStore, (store) =>
  Effect.map(
    store.unpublished({ recordedBefore: new Date(Date.now() + 60_000), limit: 100 }),
    (events) => events.length,
  ),
);

/** Polls until `done` holds, failing after a deadline. */
const until = (what: string, done: Effect.Effect<boolean, unknown, EventStore>) =>
  Effect.gen(function* () {
    const deadline = Date.now() + 10_000;
    while (!(yield* done)) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      yield* Effect.sleep("5 millis");
    }
  });

/** A publisher over an open bus and a store recording its marks, with what it published and marked. */
const observedPublisher = (options: PublisherOptions) =>
  Effect.gen(function* () {
    const marks: Array<ReadonlyArray<EventId>> = [];
    const published = new Map<string, number>();
    const republished = new Set<string>();
    const open = yield* Deferred.make<void>();
    yield* Deferred.succeed(open, undefined);
    const layer = Publisher.layer({ sweepIntervalMs: 3_600_000, ...options }).pipe(
      Layer.provideMerge(
        Layer.mergeAll(
          countingStore(marks),
          gatedBus(open, published, republished),
          EventRegistry.layer("test", [Pinged]),
        ),
      ),
    );
    return { marks, published, republished, layer };
  });

describe("Publisher", () => {
  it.live(
    "given publishes while a mark waits out its interval, then one mark covers them and the sweeper leaves them alone",
    () =>
      Effect.gen(function* () {
        const { marks, published, layer } = yield* observedPublisher({ sweepAfterMs: 1, markPublishedEveryMs: 2_000 });
        yield* Effect.gen(function* () {
          const store = yield* EventStore;
          const publisher = yield* Publisher;
          const append = (version: number) =>
            store.appendToStream("pings-1" as StreamId, version, [Pinged.make({ n: version }, meta)]);
          yield* publisher.enqueue(yield* append(0));
          yield* until(
            "the first mark",
            Effect.sync(() => marks.length === 1),
          );
          const [second, third] = [yield* append(1), yield* append(2)];
          yield* publisher.enqueue(second);
          yield* until(
            "the second publish",
            Effect.sync(() => published.size === 2),
          );
          yield* publisher.enqueue(third);
          yield* until(
            "the third publish",
            Effect.sync(() => published.size === 3),
          );
          // Acknowledged but not marked yet: stale for the sweeper, yet this process's.
          assert.strictEqual(yield* unpublishedCount, 2);
          assert.strictEqual(yield* publisher.sweepOnce, 0);
          yield* until(
            "every event marked",
            Effect.map(unpublishedCount, (count) => count === 0),
          );
          assert.deepStrictEqual(
            marks.map((ids) => ids.length),
            [1, 2],
          );
          assert.deepStrictEqual([...published.values()], [1, 1, 1]);
        }).pipe(Effect.provide(layer));
      }),
  );

  it.live("given a large mark, then the next one follows at once instead of waiting to collect", () =>
    Effect.gen(function* () {
      const { marks, layer } = yield* observedPublisher({ markPublishedEveryMs: 3_600_000, markTogetherBelow: 2 });
      yield* Effect.gen(function* () {
        const store = yield* EventStore;
        const publisher = yield* Publisher;
        yield* publisher.enqueue(
          yield* store.appendToStream("pings-1" as StreamId, 0, [
            Pinged.make({ n: 1 }, meta),
            Pinged.make({ n: 2 }, meta),
          ]),
        );
        yield* until(
          "the large mark",
          Effect.sync(() => marks.length === 1),
        );
        yield* publisher.enqueue(yield* store.appendToStream("pings-1" as StreamId, 2, [Pinged.make({ n: 3 }, meta)]));
        yield* until(
          "every event marked",
          Effect.map(unpublishedCount, (count) => count === 0),
        );
        assert.deepStrictEqual(
          marks.map((ids) => ids.length),
          [2, 1],
        );
      }).pipe(Effect.provide(layer));
    }),
  );

  it.live(
    "given first sends, sends again and late first sends, then only the late and repeated ones are flagged republished",
    () =>
      Effect.gen(function* () {
        const { published, republished, layer } = yield* observedPublisher({ sweepAfterMs: 60_000 });
        yield* Effect.gen(function* () {
          const store = yield* EventStore;
          const publisher = yield* Publisher;
          const [fresh, again, late] = yield* store.appendToStream("pings-1" as StreamId, 0, [
            Pinged.make({ n: 1 }, meta),
            Pinged.make({ n: 2 }, meta),
            Pinged.make({ n: 3 }, meta),
          ]);
          if (fresh === undefined || again === undefined || late === undefined) return assert.fail("not appended");
          yield* publisher.enqueue([fresh]);
          yield* publisher.publishNow([again]);
          // Queued so long after its append that a sweeper elsewhere may already have sent it.
          yield* publisher.enqueue([{ ...late, recordedAt: new Date(Date.now() - 58_000).toISOString() }]);
          yield* until(
            "three publishes",
            Effect.sync(() => published.size === 3),
          );
          assert.deepStrictEqual([...republished].sort(), [again.id, late.id].sort());
        }).pipe(Effect.provide(layer));
      }),
  );

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
