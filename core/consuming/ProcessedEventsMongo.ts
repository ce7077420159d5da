/**
 * ProcessedEvents on MongoDB: one small document per (group, event id) in
 * `processed_events`, `_id` uniqueness making marking idempotent; one per (group, topic,
 * partition) in `settled_offsets`. The second stays as small as the groups' partitions,
 * which matters on FerretDB 1.x: it decodes every mark for each id lookup, so lookups
 * cost more the more a day's traffic left, and now only possible repeats need one.
 */
import { Effect, Exit, Layer } from "effect";
import type { Collection, MongoClient } from "mongodb";
import { makeBatcher } from "../store/batching.ts";
import type { EventStoreUnavailable } from "../store/Errors.ts";
import { bulkWriteInChunks, idFilter, isDuplicateKeyOnly } from "../store/mongoBulk.ts";
import { tryMongo } from "../store/mongoCollections.ts";
import { type PartitionOffset, type PartitionRef, ProcessedEvents, partitionName } from "./ProcessedEvents.ts";

interface ProcessedDocument {
  readonly _id: string;
  readonly group: string;
  readonly at: Date;
}

interface SettledDocument {
  readonly _id: string;
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

const documentId = (group: string, eventId: string) => `${group}|${eventId}`;
const settledId = (group: string, partition: PartitionRef) => `${group}|${partitionName(partition)}`;

/** `$max` keeps the highest offset when two members of a group race after a rebalance. */
const raiseSettled = (
  collection: Collection<SettledDocument>,
  group: string,
  settled: ReadonlyArray<PartitionOffset>,
) =>
  collection.bulkWrite(
    settled.map(({ topic, partition, offset }) => ({
      updateOne: {
        filter: { _id: settledId(group, { topic, partition }) },
        update: { $max: { offset }, $setOnInsert: { group, topic, partition } },
        upsert: true,
      },
    })),
    { ordered: false },
  );

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

/** Ids per lookup round at most: FerretDB 1.x also tests `$in` membership one value at a time. */
const idsPerRound = 2_000;

/** How many of the oldest waiting lookups fit in one round (at least one). */
const lookupsThatFit = (waiting: ReadonlyArray<ReadonlyArray<string>>): number => {
  let ids = 0;
  let count = 0;
  for (const lookup of waiting) {
    if (count > 0 && ids + lookup.length > idsPerRound) break;
    ids += lookup.length;
    count++;
  }
  return count;
};

/**
 * Lookups of marks made side by side (the batches of every group and partition this
 * process handles at once) share one query: MongoDB serves `$in` from the `_id` index,
 * but FerretDB 1.x decodes the whole collection for every `$in`, however short.
 */
const makeMarkLookups = (collection: Collection<ProcessedDocument>) =>
  makeBatcher<ReadonlyArray<string>, ReadonlySet<string>, EventStoreUnavailable>(
    (lookups) =>
      Effect.map(
        Effect.exit(
          tryMongo("processedEvents.find", () =>
            collection.find(idFilter([...new Set(lookups.flat())]), { projection: { _id: 1 } }).toArray(),
          ),
        ),
        (found) => {
          if (Exit.isFailure(found)) return lookups.map(() => Exit.failCause(found.cause));
          const marked = new Set(found.value.map((document) => document._id));
          return lookups.map((ids) => Exit.succeed(new Set(ids.filter((id) => marked.has(id)))));
        },
      ),
    { take: lookupsThatFit },
  );

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
      const settledOffsets = db.collection<SettledDocument>(`${options.collectionPrefix ?? ""}settled_offsets`);
      // For pruning (FerretDB has no TTL indexes).
      yield* tryMongo("processedEvents.createIndex", () => collection.createIndex({ at: 1 }));
      const lookups = makeMarkLookups(collection);
      return ProcessedEvents.of({
        settledThrough: (group, partitions) =>
          partitions.length === 0
            ? Effect.succeed(new Map())
            : tryMongo("processedEvents.settledThrough", () =>
                // A batch is one partition: a lone `_id` equality, which FerretDB has SQLite test
                // row by row instead of decoding every document.
                settledOffsets.find(idFilter(partitions.map((partition) => settledId(group, partition)))).toArray(),
              ).pipe(
                Effect.map((found) => new Map(found.map((document) => [partitionName(document), document.offset]))),
              ),
        unprocessed: (group, eventIds) =>
          eventIds.length === 0
            ? Effect.succeed(new Set())
            : lookups
                .submit(eventIds.map((id) => documentId(group, id)))
                .pipe(Effect.map((done) => new Set(eventIds.filter((id) => !done.has(documentId(group, id)))))),
        markProcessed: (group, eventIds, settled) =>
          tryMongo("processedEvents.mark", async () => {
            if (settled.length > 0) await raiseSettled(settledOffsets, group, settled);
            if (eventIds.length > 0) await markAll(collection, group, eventIds);
          }),
        prune: (before) =>
          tryMongo("processedEvents.prune", () => collection.deleteMany({ at: { $lt: before } })).pipe(
            Effect.map((result) => result.deletedCount),
          ),
      });
    }),
  );
