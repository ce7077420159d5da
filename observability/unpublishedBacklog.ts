/**
 * The unpublished-event backlog as a gauge: how many stored events Kafka has not yet
 * acknowledged, i.e. the events listed in the event store's `outbox` (an entry is written
 * before its events and shrinks as Kafka acknowledges them; see core/store/mongoOutbox.ts),
 * read at an interval.
 */
import { Effect, Layer, Schedule } from "effect";
import { recordUnpublishedBacklog } from "../core/index.ts";
import { MongoConnection } from "../services/runtime/MongoConnection.ts";

/**
 * @example
 * const layer = layerUnpublishedBacklog({ intervalMs: 15_000 }).pipe(Layer.provide(MongoConnection.layer(uri, db)));
 */
export const layerUnpublishedBacklog = (
  options: { readonly intervalMs?: number | undefined; readonly collectionPrefix?: string | undefined } = {},
): Layer.Layer<never, never, MongoConnection> =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const { client, databaseName } = yield* MongoConnection;
      const outbox = client.db(databaseName).collection(`${options.collectionPrefix ?? ""}outbox`);
      // The outbox stays small unless Kafka is away: reading its ids is cheap when it matters least.
      const countEvents = async () => {
        let count = 0;
        for await (const entry of outbox.find({}, { projection: { _id: 0, eventIds: 1 } })) {
          count += Array.isArray(entry.eventIds) ? entry.eventIds.length : 1;
        }
        return count;
      };
      const poll = Effect.tryPromise(countEvents).pipe(
        Effect.flatMap(recordUnpublishedBacklog),
        Effect.catch((error) => Effect.logDebug("unpublished backlog unavailable", error.message)),
        Effect.withTracerEnabled(false),
      );
      yield* Effect.forkScoped(poll.pipe(Effect.repeat(Schedule.spaced(options.intervalMs ?? 15_000))));
    }),
  );
