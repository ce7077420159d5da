import { assert, layer } from "@effect/vitest";
import { Effect, Layer } from "effect";
import { MongoClient } from "mongodb";
import { ReadModelStore } from "../../core/projections/ReadModelStore.ts";
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

layer(mongoReadModels, { excludeTestServices: true })("ReadModelStoreMongo on FerretDB", (it) => {
  it.effect("given 150 existing documents, when all are replaced in one writeMany, then it completes", () =>
    Effect.gen(function* () {
      // FerretDB 1.24 hangs on one update command of ~100 replacements of existing documents.
      const store = yield* ReadModelStore;
      const ids = Array.from({ length: 150 }, (_, i) => `doc-${i}`);
      yield* store.writeMany(
        "bulk",
        ids.map((id) => ({ id, doc: { n: 1 } })),
      );
      yield* store.writeMany(
        "bulk",
        ids.map((id) => ({ id, doc: { n: 2 } })),
      );
      const loaded = yield* store.loadMany("bulk", ids);
      assert.strictEqual(loaded.size, 150);
      assert.isTrue([...loaded.values()].every((doc) => doc.n === 2));
    }),
  );
});
