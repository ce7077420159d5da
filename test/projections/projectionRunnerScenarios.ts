/**
 * Helpers shared by the runner tests (memory and Kafka/MongoDB): publish stored events the
 * way the publisher does, wait for a projection to catch up, compare collections.
 */
import { Effect, Option } from "effect";
import { EventBus } from "../../core/bus/EventBus.ts";
import { eventToMessage } from "../../core/bus/eventMessages.ts";
import type { EventEnvelope } from "../../core/events/EventEnvelope.ts";
import { EventRegistry, type EventRegistryShape } from "../../core/events/EventRegistry.ts";
import type { AnyProjection } from "../../core/projections/defineProjection.ts";
import { ReadModelStore } from "../../core/projections/ReadModelStore.ts";
import { eventuallyEffect } from "../harness/eventuallyEffect.ts";
import { uniqueName } from "../harness/testEnvironment.ts";
import { allEventDefinitions, withoutRevision } from "./projectionFixtures.ts";

/** A registry whose topics no other test uses. */
export const uniqueRegistry = (): EventRegistryShape =>
  EventRegistry.make(uniqueName("projections"), allEventDefinitions);

/** Publishes envelopes as the outbox publisher would (key = stream id). */
export const publishEvents = (registry: EventRegistryShape, envelopes: ReadonlyArray<EventEnvelope>) =>
  Effect.flatMap(EventBus, (bus) => bus.publish(envelopes.map((envelope) => eventToMessage(registry, envelope))));

/** Waits until the projection's checkpoint is live at its version with at least `eventsApplied` events folded. */
export const awaitEventsApplied = (projection: AnyProjection, eventsApplied: number, timeout = "30 seconds" as const) =>
  eventuallyEffect(
    Effect.map(
      Effect.flatMap(ReadModelStore, (store) => store.getCheckpoint(projection.name)),
      Option.filter(
        (checkpoint) =>
          checkpoint.status === "live" &&
          checkpoint.version === projection.version &&
          checkpoint.eventsApplied >= eventsApplied,
      ),
    ).pipe(Effect.map(Option.getOrUndefined)),
    { timeout, what: `${projection.name} to apply ${eventsApplied} events` },
  );

/** Every stored document of a projection (bookkeeping included), by id. */
export const storedDocuments = (projection: AnyProjection) =>
  Effect.gen(function* () {
    const store = yield* ReadModelStore;
    const ids = (yield* store.find(projection.collection, {}, { sort: { _id: 1 } })).map((doc) => doc._id);
    const stored = yield* store.loadMany(projection.collection, ids);
    return ids.map((id) => [id, withoutRevision(stored.get(id))] as const);
  });

/** The documents routes see, sorted by id. */
export const visibleDocuments = (projection: AnyProjection) =>
  Effect.flatMap(ReadModelStore, (store) => store.find(projection.collection, {}, { sort: { _id: 1 } }));
