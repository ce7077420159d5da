/**
 * The ConsumerRunner's behaviour, run against the in-memory layers (unit) and against the
 * real Kafka broker and MongoDB-wire server (integration): poison messages are
 * dead-lettered after N attempts, replays are processed once, redelivery and republished
 * copies repeat no side effect, first publications cost no id lookup, replays target one group.
 */
import { assert, describe, it } from "@effect/vitest";
import { Effect, type Layer } from "effect";
import { eventuallyEffect } from "../../test/harness/eventuallyEffect.ts";
import type { EventBus } from "../bus/EventBus.ts";
import type { EventRegistry } from "../events/EventRegistry.ts";
import { runConsumerGroup } from "./ConsumerRunner.ts";
import {
  makeRecordingHandler,
  makeRecordingRunHandler,
  pokedEnvelope,
  publishEvents,
} from "./consumerRunnerFixtures.ts";
import { DeadLetters } from "./DeadLetters.ts";
import { ProcessedEvents } from "./ProcessedEvents.ts";
import { replayDeadLetter } from "./replayDeadLetter.ts";

export type SuiteServices = EventBus | EventRegistry | ProcessedEvents | DeadLetters;

const runId = Math.random().toString(36).slice(2, 8);
/** Consumer groups unique to this run: the real broker remembers groups between runs. */
const group = (label: string) => `${label}-${runId}`;
const fastRetries = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };
const waitFor = eventuallyEffect;

/** `makeLayer` is called once per test: each test gets its own topics (and broker, in memory). */
export const consumerRunnerSuite = (name: string, makeLayer: () => Layer.Layer<SuiteServices, unknown>): void => {
  describe(`ConsumerRunner (${name})`, () => {
    it.live(
      "given a poison message, when handled, then it is dead-lettered after N attempts and the rest flows on",
      () =>
        Effect.gen(function* () {
          const { state, handler } = makeRecordingHandler();
          yield* runConsumerGroup({ pluginId: "pokes", groupId: group("g-poison"), handlers: [handler] }, fastRetries);
          yield* publishEvents([pokedEnvelope(1), pokedEnvelope(2, true), pokedEnvelope(3)]);
          const deadLetters = yield* DeadLetters;
          const [dead] = yield* waitFor(
            deadLetters
              .list({ group: group("g-poison") })
              .pipe(Effect.map((list) => (list.length > 0 ? list : undefined))),
          );
          yield* waitFor(Effect.sync(() => (state.sideEffects.includes(3) ? true : undefined)));
          assert.deepStrictEqual(state.sideEffects, [1, 3]);
          assert.strictEqual(state.attempts.get(2), 3);
          assert.strictEqual(dead?.attempts, 3);
          assert.strictEqual(dead?.eventType, "Poked");
          assert.include(dead?.error ?? "", "poison 2");
        }).pipe(Effect.scoped, Effect.provide(makeLayer())),
    );

    it.live(
      "given a run handler, when a key's run holds a poison event, then only it is dead-lettered and the rest is handled once, in order",
      () =>
        Effect.gen(function* () {
          const { state, handler } = makeRecordingRunHandler();
          yield* runConsumerGroup({ pluginId: "pokes", groupId: group("g-run"), handlers: [handler] }, fastRetries);
          yield* publishEvents([1, 2, 3, 4, 5].map((n) => pokedEnvelope(n, n === 3)));
          const deadLetters = yield* DeadLetters;
          const dead = yield* waitFor(
            deadLetters
              .list({ group: group("g-run") })
              .pipe(Effect.map((list) => (list.length > 0 ? list : undefined))),
          );
          yield* waitFor(Effect.sync(() => (state.sideEffects.includes(5) ? true : undefined)));
          assert.deepStrictEqual(state.sideEffects, [1, 2, 4, 5]);
          assert.deepStrictEqual(
            dead.map((letter) => letter.eventType),
            ["Poked"],
          );
          assert.include(dead[0]?.error ?? "", "poison 3");
        }).pipe(Effect.scoped, Effect.provide(makeLayer())),
    );

    it.live("given a fixed handler, when a dead letter is replayed, then it is processed once", () =>
      Effect.gen(function* () {
        const { state, handler } = makeRecordingHandler();
        yield* runConsumerGroup({ pluginId: "pokes", groupId: group("g-replay"), handlers: [handler] }, fastRetries);
        yield* publishEvents([pokedEnvelope(7, true)]);
        const deadLetters = yield* DeadLetters;
        const [dead] = yield* waitFor(
          deadLetters
            .list({ group: group("g-replay") })
            .pipe(Effect.map((list) => (list.length > 0 ? list : undefined))),
        );
        state.poisonFails = false;
        yield* replayDeadLetter(dead?.id ?? "");
        yield* waitFor(Effect.sync(() => (state.sideEffects.includes(7) ? true : undefined)));
        // A second replay of the same dead letter is deduplicated by event id.
        yield* replayDeadLetter(dead?.id ?? "");
        yield* publishEvents([pokedEnvelope(8)]);
        yield* waitFor(Effect.sync(() => (state.sideEffects.includes(8) ? true : undefined)));
        assert.deepStrictEqual(state.sideEffects, [7, 8]);
        const [replayed] = yield* deadLetters.list({ group: group("g-replay") });
        assert.strictEqual(replayed?.status, "replayed");
      }).pipe(Effect.scoped, Effect.provide(makeLayer())),
    );

    it.live("given copies the sweeper republished, when handled again, then no side effect repeats", () =>
      Effect.gen(function* () {
        const { state, handler } = makeRecordingHandler();
        yield* runConsumerGroup({ pluginId: "pokes", groupId: group("g-redeliver"), handlers: [handler] }, fastRetries);
        const batch = [pokedEnvelope(1), pokedEnvelope(2), pokedEnvelope(3)];
        yield* publishEvents(batch);
        yield* waitFor(Effect.sync(() => (state.sideEffects.length === 3 ? true : undefined)));
        yield* publishEvents(batch, { republished: true });
        yield* publishEvents([pokedEnvelope(4)]);
        yield* waitFor(Effect.sync(() => (state.sideEffects.includes(4) ? true : undefined)));
        assert.deepStrictEqual(state.sideEffects, [1, 2, 3, 4]);
      }).pipe(Effect.scoped, Effect.provide(makeLayer())),
    );

    it.live(
      "given a batch marked handled but not committed (a crash in between), when Kafka delivers it again, then no side effect repeats",
      () =>
        Effect.gen(function* () {
          const { state, handler } = makeRecordingHandler();
          const processed = yield* ProcessedEvents;
          let marks = 0;
          // The first mark is written, then the batch fails as if the process died before committing.
          const crashingOnce = ProcessedEvents.of({
            ...processed,
            markProcessed: (groupId, ids, settled) =>
              Effect.flatMap(processed.markProcessed(groupId, ids, settled), () =>
                ++marks === 1 ? Effect.die(new Error("crashed before the commit")) : Effect.void,
              ),
          });
          yield* runConsumerGroup(
            { pluginId: "pokes", groupId: group("g-crash"), handlers: [handler] },
            fastRetries,
          ).pipe(Effect.provideService(ProcessedEvents, crashingOnce));
          yield* publishEvents([pokedEnvelope(1), pokedEnvelope(2)]);
          yield* waitFor(Effect.sync(() => (marks >= 2 ? true : undefined)));
          yield* publishEvents([pokedEnvelope(3)]);
          yield* waitFor(Effect.sync(() => (state.sideEffects.includes(3) ? true : undefined)));
          assert.deepStrictEqual(state.sideEffects, [1, 2, 3]);
        }).pipe(Effect.scoped, Effect.provide(makeLayer())),
    );

    it.live("given first publications above the settled offset, when handled, then no event id is looked up", () =>
      Effect.gen(function* () {
        const { state, handler } = makeRecordingHandler();
        const processed = yield* ProcessedEvents;
        const lookedUp: Array<string> = [];
        const counting = ProcessedEvents.of({
          ...processed,
          unprocessed: (groupId, ids) => {
            lookedUp.push(...ids);
            return processed.unprocessed(groupId, ids);
          },
        });
        yield* runConsumerGroup(
          { pluginId: "pokes", groupId: group("g-fresh"), handlers: [handler] },
          fastRetries,
        ).pipe(Effect.provideService(ProcessedEvents, counting));
        const first = pokedEnvelope(1);
        yield* publishEvents([first]);
        yield* waitFor(Effect.sync(() => (state.sideEffects.includes(1) ? true : undefined)));
        // The group never settled this partition before: its first batch is looked up.
        assert.deepStrictEqual(lookedUp, [first.id]);
        yield* publishEvents([pokedEnvelope(2), pokedEnvelope(3)]);
        yield* waitFor(Effect.sync(() => (state.sideEffects.includes(3) ? true : undefined)));
        assert.deepStrictEqual(lookedUp, [first.id]);
        assert.deepStrictEqual(state.sideEffects, [1, 2, 3]);
      }).pipe(Effect.scoped, Effect.provide(makeLayer())),
    );

    it.live(
      "given one plugin whose handler always fails, when events flow, then another plugin still handles them",
      () =>
        Effect.gen(function* () {
          const broken = makeRecordingHandler();
          const healthy = makeRecordingHandler();
          const brokenHandler = { ...broken.handler, handle: () => Effect.die(new Error("always broken")) };
          yield* runConsumerGroup(
            { pluginId: "broken", groupId: group("g-broken"), handlers: [brokenHandler] },
            fastRetries,
          );
          yield* runConsumerGroup(
            { pluginId: "healthy", groupId: group("g-healthy"), handlers: [healthy.handler] },
            fastRetries,
          );
          yield* publishEvents([pokedEnvelope(1), pokedEnvelope(2), pokedEnvelope(3)]);
          yield* waitFor(Effect.sync(() => (healthy.state.sideEffects.length === 3 ? true : undefined)));
          assert.deepStrictEqual(healthy.state.sideEffects, [1, 2, 3]);
          const deadLetters = yield* DeadLetters;
          const dead = yield* waitFor(
            deadLetters
              .list({ group: group("g-broken") })
              .pipe(Effect.map((list) => (list.length === 3 ? list : undefined))),
          );
          assert.strictEqual(dead.length, 3);
        }).pipe(Effect.scoped, Effect.provide(makeLayer())),
    );

    it.live("given a replay for another group, when consumed, then this group ignores it", () =>
      Effect.gen(function* () {
        const first = makeRecordingHandler();
        const second = makeRecordingHandler();
        const groupA = group("g-a");
        const groupB = group("g-b");
        yield* runConsumerGroup({ pluginId: "a", groupId: groupA, handlers: [first.handler] }, fastRetries);
        yield* runConsumerGroup({ pluginId: "b", groupId: groupB, handlers: [second.handler] }, fastRetries);
        yield* publishEvents([pokedEnvelope(5, true)]);
        const deadLetters = yield* DeadLetters;
        const list = yield* waitFor(
          deadLetters
            .list({ status: "dead" })
            .pipe(
              Effect.map((all) =>
                all.filter((d) => d.group === groupA || d.group === groupB).length === 2 ? all : undefined,
              ),
            ),
        );
        first.state.poisonFails = false;
        second.state.poisonFails = false;
        const forA = list.find((d) => d.group === groupA);
        yield* replayDeadLetter(forA?.id ?? "");
        yield* waitFor(Effect.sync(() => (first.state.sideEffects.includes(5) ? true : undefined)));
        yield* publishEvents([pokedEnvelope(6)]);
        yield* waitFor(Effect.sync(() => (second.state.sideEffects.includes(6) ? true : undefined)));
        assert.deepStrictEqual(second.state.sideEffects, [6]);
      }).pipe(Effect.scoped, Effect.provide(makeLayer())),
    );
  });
};
