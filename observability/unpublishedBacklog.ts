/**
 * The unpublished-event backlog as a gauge: how many stored events Kafka has not yet
 * acknowledged, i.e. the size of the event store's `outbox` collection (an entry is
 * written before its event and deleted once Kafka acknowledged it), read at an interval.
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
      // The collection's metadata count: O(1), and exact for a collection nobody filters.
      const poll = Effect.tryPromise(() => outbox.estimatedDocumentCount()).pipe(
        Effect.flatMap(recordUnpublishedBacklog),
        Effect.catch((error) => Effect.logDebug("unpublished backlog unavailable", error.message)),
        Effect.withTracerEnabled(false),
      );
      yield* Effect.forkScoped(poll.pipe(Effect.repeat(Schedule.spaced(options.intervalMs ?? 15_000))));
    }),
  );
