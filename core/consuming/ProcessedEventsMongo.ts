/**
 * ProcessedEvents on MongoDB: one small document per (group, event id) in
 * `processed_events`; `_id` uniqueness makes marking idempotent.
 */
import { Effect, Layer } from "effect";
import type { Collection, MongoClient } from "mongodb";
import { bulkWriteInChunks, isDuplicateKeyOnly } from "../store/mongoBulk.ts";
import { tryMongo } from "../store/mongoCollections.ts";
import { ProcessedEvents } from "./ProcessedEvents.ts";

interface ProcessedDocument {
  readonly _id: string;
  readonly group: string;
  readonly at: Date;
}

const documentId = (group: string, eventId: string) => `${group}|${eventId}`;

/**
 * One insert of all the marks: FerretDB writes an insert's documents together, where
 * upserts cost a statement each. An id marked already (two consumers raced after a
 * rebalance) fails the insert, and FerretDB may stop at that document, so the marks are
 * then written again as upserts, which do not mind.
 */
const markAll = async (collection: Collection<ProcessedDocument>, group: string, eventIds: ReadonlyArray<string>) => {
  const at = new Date();
  try {
    await collection.insertMany(
      eventIds.map((id) => ({ _id: documentId(group, id), group, at })),
      { ordered: false },
    );
  } catch (cause) {
    if (!isDuplicateKeyOnly(cause)) throw cause;
    await bulkWriteInChunks(
      collection,
      eventIds.map((id) => ({
        updateOne: { filter: { _id: documentId(group, id) }, update: { $setOnInsert: { group, at } }, upsert: true },
      })),
    );
  }
};

/**
 * @example
 * const layer = layerProcessedEventsMongo({ client, databaseName: "anansky" });
 */
export const layerProcessedEventsMongo = (options: {
  readonly client: MongoClient;
  readonly databaseName: string;
  readonly collectionPrefix?: string | undefined;
}) =>
  Layer.effect(
    ProcessedEvents,
    Effect.gen(function* () {
      const db = options.client.db(options.databaseName);
      const collection = db.collection<ProcessedDocument>(`${options.collectionPrefix ?? ""}processed_events`);
      // For pruning (FerretDB has no TTL indexes).
      yield* tryMongo("processedEvents.createIndex", () => collection.createIndex({ at: 1 }));
      return ProcessedEvents.of({
        unprocessed: (group, eventIds) =>
          eventIds.length === 0
            ? Effect.succeed(new Set())
            : tryMongo("processedEvents.find", () =>
                collection
                  .find({ _id: { $in: eventIds.map((id) => documentId(group, id)) } }, { projection: { _id: 1 } })
                  .toArray(),
              ).pipe(
                Effect.map((found) => {
                  const done = new Set(found.map((d) => d._id));
                  return new Set(eventIds.filter((id) => !done.has(documentId(group, id))));
                }),
              ),
        markProcessed: (group, eventIds) =>
          eventIds.length === 0
            ? Effect.void
            : tryMongo("processedEvents.mark", () => markAll(collection, group, eventIds)).pipe(Effect.asVoid),
        prune: (before) =>
          tryMongo("processedEvents.prune", () => collection.deleteMany({ at: { $lt: before } })).pipe(
            Effect.map((result) => result.deletedCount),
          ),
      });
    }),
  );
