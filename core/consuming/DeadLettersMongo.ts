/** DeadLetters on MongoDB: the `dead_letters` collection, one document per failed delivery. */
import { Effect, Layer, Option } from "effect";
import type { MongoClient } from "mongodb";
import { tryMongo } from "../store/mongoCollections.ts";
import { type DeadLetter, DeadLetters } from "./DeadLetters.ts";

type DeadLetterDocument = Omit<DeadLetter, "id"> & { readonly _id: string };

const toDeadLetter = ({ _id, ...rest }: DeadLetterDocument): DeadLetter => ({ id: _id, ...rest });

/**
 * @example
 * const layer = layerDeadLettersMongo({ client, databaseName: "anansky" });
 */
export const layerDeadLettersMongo = (options: {
  readonly client: MongoClient;
  readonly databaseName: string;
  readonly collectionPrefix?: string | undefined;
}) =>
  Layer.effect(
    DeadLetters,
    Effect.gen(function* () {
      const collection = options.client
        .db(options.databaseName)
        .collection<DeadLetterDocument>(`${options.collectionPrefix ?? ""}dead_letters`);
      yield* tryMongo("deadLetters.createIndex", () => collection.createIndex({ group: 1, status: 1, failedAt: 1 }));
      return DeadLetters.of({
        record: ({ id, ...rest }) =>
          tryMongo("deadLetters.record", () => collection.replaceOne({ _id: id }, rest, { upsert: true })).pipe(
            Effect.asVoid,
          ),
        list: (query) =>
          tryMongo("deadLetters.list", () =>
            collection
              .find({
                ...(query.group === undefined ? {} : { group: query.group }),
                ...(query.status === undefined ? {} : { status: query.status }),
              })
              .sort({ failedAt: 1 })
              .limit(query.limit ?? 100)
              .toArray(),
          ).pipe(Effect.map((documents) => documents.map(toDeadLetter))),
        get: (id) =>
          tryMongo("deadLetters.get", () => collection.findOne({ _id: id })).pipe(
            Effect.map((document) => Option.map(Option.fromNullishOr(document), toDeadLetter)),
          ),
        markReplayed: (id, at) =>
          tryMongo("deadLetters.markReplayed", () =>
            collection.updateOne({ _id: id }, { $set: { status: "replayed", replayedAt: at } }),
          ).pipe(Effect.asVoid),
      });
    }),
  );
