/**
 * Shared by the ConsumerRunner tests (memory and real): an event type, a way to publish
 * it, and a handler whose side effects and failures the test controls.
 */
import { Effect, Schema } from "effect";
import { EventBus } from "../bus/EventBus.ts";
import { eventToMessage } from "../bus/eventMessages.ts";
import { defineEvent } from "../events/defineEvent.ts";
import type { EventEnvelope, StreamId, TenantId } from "../events/EventEnvelope.ts";
import { EventRegistry } from "../events/EventRegistry.ts";

export const Poked = defineEvent({
  type: "Poked",
  family: "pokes",
  payload: Schema.Struct({ n: Schema.Number, poison: Schema.Boolean }),
});

let sequence = 0;

/** A stored-looking envelope of Poked (the runner only reads what the bus carries). */
export const pokedEnvelope = (n: number, poison = false, streamId = "device-1"): EventEnvelope => {
  const pending = Poked.make({ n, poison }, { tenantId: "tenant-a" as TenantId });
  sequence++;
  return {
    ...pending,
    streamId: streamId as StreamId,
    streamVersion: sequence,
    recordedAt: new Date().toISOString(),
  };
};

/** `republished` sends them as the publisher's sweeper does. */
export const publishEvents = (events: ReadonlyArray<EventEnvelope>, options: { readonly republished?: boolean } = {}) =>
  Effect.gen(function* () {
    const bus = yield* EventBus;
    const registry = yield* EventRegistry;
    yield* bus.publish(events.map((event) => eventToMessage(registry, event, options)));
  });

/** A handler that records its side effects and fails on poison while `poisonFails` says so. */
export const makeRecordingHandler = () => {
  const state = { sideEffects: [] as Array<number>, attempts: new Map<number, number>(), poisonFails: true };
  const handle = (event: EventEnvelope) =>
    Effect.flatMap(Poked.decode(event), (typed) =>
      Effect.suspend(() => {
        state.attempts.set(typed.payload.n, (state.attempts.get(typed.payload.n) ?? 0) + 1);
        if (typed.payload.poison && state.poisonFails) return Effect.die(new Error(`poison ${typed.payload.n}`));
        state.sideEffects.push(typed.payload.n);
        return Effect.void;
      }),
    );
  return { state, handler: { definition: Poked, handle } };
};

/**
 * A run handler (as `api.onRun` registers one) that records each call's events and fails
 * the whole call, recording nothing, when it holds poison while `poisonFails` says so.
 */
export const makeRecordingRunHandler = () => {
  const state = { sideEffects: [] as Array<number>, calls: [] as Array<ReadonlyArray<number>>, poisonFails: true };
  const handleRun = (events: ReadonlyArray<EventEnvelope>) =>
    Effect.flatMap(Effect.forEach(events, Poked.decode), (typed) =>
      Effect.suspend(() => {
        const numbers = typed.map((event) => event.payload.n);
        state.calls.push(numbers);
        const poison = typed.find((event) => event.payload.poison);
        if (poison !== undefined && state.poisonFails) return Effect.die(new Error(`poison ${poison.payload.n}`));
        state.sideEffects.push(...numbers);
        return Effect.void;
      }),
    );
  return { state, handler: { definition: Poked, handle: (event: EventEnvelope) => handleRun([event]), handleRun } };
};
