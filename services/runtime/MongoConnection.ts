/**
 * The process's one MongoDB client: connected when the layer starts, closed when it ends.
 * Every MongoDB-backed layer shares it.
 */
import { Context, Effect, Layer } from "effect";
import { MongoClient } from "mongodb";
import { EventStoreUnavailable } from "../../core/index.ts";

export class MongoConnection extends Context.Service<
  MongoConnection,
  { readonly client: MongoClient; readonly databaseName: string }
>()("anansky/MongoConnection") {
  static readonly layer = (uri: string, databaseName: string) =>
    Layer.effect(
      MongoConnection,
      Effect.acquireRelease(
        Effect.tryPromise({
          try: () => new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 }).connect(),
          catch: (cause) => new EventStoreUnavailable({ operation: "connect", reason: String(cause) }),
        }),
        (client) => Effect.promise(() => client.close()),
      ).pipe(Effect.map((client) => MongoConnection.of({ client, databaseName }))),
    );
}
