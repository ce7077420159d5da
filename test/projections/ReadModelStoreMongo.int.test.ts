import { Effect, Layer } from "effect";
import { MongoClient } from "mongodb";
import { layerMongo } from "../../core/projections/ReadModelStoreMongo.ts";
import { testEnvironment, uniqueName } from "../harness/testEnvironment.ts";
import { readModelStoreContract } from "./readModelStoreContract.ts";

const { mongodbUri, databaseName } = testEnvironment();

const mongoReadModels = Layer.unwrap(
  Effect.acquireRelease(
    Effect.sync(() => new MongoClient(mongodbUri)),
    (client) => Effect.promise(() => client.close()),
  ).pipe(Effect.map((client) => layerMongo({ client, databaseName, collectionPrefix: `${uniqueName("t")}_` }))),
);

readModelStoreContract("MongoDB", mongoReadModels);
