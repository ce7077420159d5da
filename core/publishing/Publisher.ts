/**
 * Reliable publication: every appended event reaches Kafka at least once. Events are
 * stored unpublished; after an append they are queued here and published in batches in
 * the background, then marked published once Kafka acknowledged them. A sweeper
 * re-publishes what stayed unpublished (the process died between write and publish, or
 * the broker was down), so nothing is lost. What the sweeper sends is flagged republished
 * (it may be on Kafka already): consumers look those ids up, where a first publication
 * needs no lookup (see ProcessedEvents). A first send is flagged too when it goes out so
 * late that a sweeper (in any process) could send the event before this send settles:
 * otherwise this copy could land after the sweeper's and look new.
 *
 * The background publisher marks what Kafka acknowledged in its own loop, apart from
 * publishing: under ingest load the api published after every group commit, and each mark
 * was a delete that FerretDB runs as a scan under its single write lock. A small mark
 * (fewer than `markTogetherBelow` ids) waits `markPublishedEveryMs` before the next, so
 * light traffic pays few deletes; a large one is followed at once, because on FerretDB a
 * delete by `_id $in` costs about (outbox size × ids), and deferring marks under heavy
 * load grows both (measured at 5,500 events/s with a fixed 200 ms wait: 2,600 ids per
 * delete, 325 ms each).
 */
import { Context, Duration, Effect, Layer, Queue, Schedule } from "effect";
import type { EventBusUnavailable } from "../bus/Errors.ts";
import { EventBus } from "../bus/EventBus.ts";
import { eventToMessage } from "../bus/eventMessages.ts";
import type { EventEnvelope } from "../events/EventEnvelope.ts";
import type { EventId } from "../events/EventId.ts";
import { EventRegistry } from "../events/EventRegistry.ts";
import { recordPublished, recordPublishFailure } from "../observability/platformMetrics.ts";
import type { EventStoreUnavailable } from "../store/Errors.ts";
import { EventStore } from "../store/EventStore.ts";

export interface PublisherOptions {
  /**
   * Unpublished events older than this are the sweeper's (default 30 s): long enough that
   * it only takes what a dead process or a broker outage left, not what a busy publisher
   * has yet to send (on FerretDB each sweep also scans `events` once).
   */
  readonly sweepAfterMs?: number | undefined;
  /** How often the sweeper looks (default 2 s). */
  readonly sweepIntervalMs?: number | undefined;
  /** At most this many events per Kafka publish, and ids per mark (default 5,000). */
  readonly maxBatch?: number | undefined;
  /** How long ids Kafka acknowledged collect after a small mark before the next (default 200 ms). */
  readonly markPublishedEveryMs?: number | undefined;
  /** Marks of fewer ids than this count as small (default 1,000). */
  readonly markTogetherBelow?: number | undefined;
}

export class Publisher extends Context.Service<
  Publisher,
  {
    /**
     * Hands freshly appended events to the background publisher; does not wait for Kafka.
     *
     * @example
     * const stored = yield* store.appendBatch(appends);
     * yield* publisher.enqueue(stored);
     */
    enqueue(events: ReadonlyArray<EventEnvelope>): Effect.Effect<void>;
    /** Publishes and marks published now, waiting for Kafka's acknowledgement; flagged republished (it may repeat a send). */
    publishNow(events: ReadonlyArray<EventEnvelope>): Effect.Effect<void, EventBusUnavailable | EventStoreUnavailable>;
    /** One sweep over stale unpublished events; returns how many it published. */
    readonly sweepOnce: Effect.Effect<number, EventBusUnavailable | EventStoreUnavailable>;
  }
>()("anansky/Publisher") {
  /** Runs the background publisher and sweeper for as long as the layer lives. */
  static readonly layer = (options: PublisherOptions = {}) =>
    Layer.effect(
      Publisher,
      Effect.gen(function* () {
        const store = yield* EventStore;
        const bus = yield* EventBus;
        const registry = yield* EventRegistry;
        const sweepAfterMs = options.sweepAfterMs ?? 30_000;
        const maxBatch = options.maxBatch ?? 5_000;
        const queue = yield* Queue.unbounded<EventEnvelope>();
        // Ids Kafka acknowledged that the background publisher has yet to mark published.
        const acknowledged = yield* Queue.unbounded<EventId>();
        // Queued, being published or awaiting their mark in this process: the sweeper leaves them alone.
        const inFlight = new Set<string>();
        const settled = (ids: ReadonlyArray<string>) =>
          Effect.sync(() => {
            for (const id of ids) inFlight.delete(id);
          });

        // Sweepers of other processes compare `recordedAt` with their own clock.
        const clockSkewMs = 5_000;
        const sweepMayOverlap = (event: EventEnvelope, now: number) =>
          now - Date.parse(event.recordedAt) + bus.deliveryTimeoutMs + clockSkewMs >= sweepAfterMs;

        const publish = Effect.fn("Publisher.publish")(function* (
          events: ReadonlyArray<EventEnvelope>,
          sent: "first" | "again",
        ) {
          yield* Effect.annotateCurrentSpan("messaging.batch.message_count", events.length);
          const now = Date.now();
          yield* bus.publish(
            events.map((event) =>
              eventToMessage(registry, event, { republished: sent === "again" || sweepMayOverlap(event, now) }),
            ),
          );
          yield* recordPublished(events.length);
        });

        // Only the background queue's first send is known to be the first: anything else may repeat one.
        const publishNow = (events: ReadonlyArray<EventEnvelope>) =>
          events.length === 0
            ? Effect.void
            : publish(events, "again").pipe(Effect.andThen(store.markPublished(events.map((event) => event.id))));

        // Marks are only a saving: one that fails leaves the events to the sweeper, which publishes them again.
        const markAcknowledged = (ids: ReadonlyArray<EventId>) =>
          store.markPublished(ids).pipe(
            Effect.catch((error) => Effect.logWarning("marking published failed; the sweeper will retry", error)),
            Effect.ensuring(settled(ids)),
          );

        const sweepOnce = Effect.gen(function* () {
          let total = 0;
          for (;;) {
            const stale = yield* store.unpublished({
              recordedBefore: new Date(Date.now() - sweepAfterMs),
              limit: maxBatch,
            });
            const orphaned = stale.filter((event) => !inFlight.has(event.id));
            yield* publishNow(orphaned);
            total += orphaned.length;
            if (stale.length < maxBatch) return total;
          }
        }).pipe(Effect.withSpan("Publisher.sweep"));

        // A failed publish is only logged: the events stay unpublished and the sweeper retries them.
        const drainQueue = Queue.takeBetween(queue, 1, maxBatch).pipe(
          Effect.flatMap((events) =>
            publish(events, "first").pipe(
              Effect.andThen(
                Queue.offerAll(
                  acknowledged,
                  events.map((event) => event.id),
                ),
              ),
              Effect.onError(() => settled(events.map((event) => event.id))),
            ),
          ),
          Effect.catch((error) =>
            Effect.andThen(recordPublishFailure, Effect.logWarning("publish failed; the sweeper will retry", error)),
          ),
          Effect.forever,
        );
        const collectAfterSmallMark = Duration.millis(options.markPublishedEveryMs ?? 200);
        const markLoop = Queue.takeBetween(acknowledged, 1, maxBatch).pipe(
          Effect.tap(markAcknowledged),
          Effect.flatMap((ids) =>
            ids.length < (options.markTogetherBelow ?? 1_000) ? Effect.sleep(collectAfterSmallMark) : Effect.void,
          ),
          Effect.forever,
        );
        // The background loops are not traces of their own (one every few seconds would bury
        // the real ones): each event's producer span joins the trace the event carries.
        yield* Effect.forkScoped(drainQueue.pipe(Effect.withTracerEnabled(false)));
        yield* Effect.forkScoped(markLoop.pipe(Effect.withTracerEnabled(false)));
        yield* Effect.forkScoped(
          sweepOnce.pipe(
            Effect.catch((error) =>
              Effect.andThen(recordPublishFailure, Effect.logWarning("sweep failed; retrying on the next tick", error)),
            ),
            Effect.repeat(Schedule.spaced(options.sweepIntervalMs ?? 2_000)),
            Effect.withTracerEnabled(false),
          ),
        );
        yield* Effect.addFinalizer(() =>
          // Publish what is still queued and mark what is acknowledged before the layer closes;
          // what fails is left to the sweeper.
          Queue.clear(queue).pipe(
            Effect.flatMap((events) => publishNow(events)),
            Effect.catch(() => Effect.void),
            Effect.andThen(Queue.clear(acknowledged)),
            Effect.flatMap((ids) => (ids.length === 0 ? Effect.void : markAcknowledged(ids))),
            Effect.withTracerEnabled(false),
          ),
        );

        return Publisher.of({
          enqueue: (events) =>
            events.length === 0
              ? Effect.void
              : Effect.suspend(() => {
                  for (const event of events) inFlight.add(event.id);
                  return Effect.asVoid(Queue.offerAll(queue, events));
                }),
          publishNow,
          sweepOnce,
        });
      }),
    );
}
