/**
 * The MongoDB collections behind the event store, and the one place driver promises
 * become Effects: every driver failure turns into `EventStoreUnavailable`.
 */
import { Effect } from "effect";
import type { Collection, Db } from "mongodb";
import { EventStoreUnavailable } from "./Errors.ts";
import type { EventDocument, MigrationDocument, OutboxDocument, StreamHeadDocument } from "./mongoEventDocument.ts";

export interface EventStoreCollections {
  readonly events: Collection<EventDocument>;
  readonly outbox: Collection<OutboxDocument>;
  readonly streams: Collection<StreamHeadDocument>;
  readonly migrations: Collection<MigrationDocument>;
}

/**
 * `events`, `outbox`, `streams` and `schema_migrations`, each name prefixed with `collectionPrefix`
 * (tests use a unique prefix so concurrent test files never share collections).
 *
 * @example
 * const { events } = eventStoreCollections(client.db("anansky"), "");
 */
export const eventStoreCollections = (db: Db, collectionPrefix = ""): EventStoreCollections => ({
  events: db.collection<EventDocument>(`${collectionPrefix}events`),
  outbox: db.collection<OutboxDocument>(`${collectionPrefix}outbox`),
  streams: db.collection<StreamHeadDocument>(`${collectionPrefix}streams`),
  migrations: db.collection<MigrationDocument>(`${collectionPrefix}schema_migrations`),
});

const describeFailure = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));

/**
 * Runs one driver call; a rejection becomes `EventStoreUnavailable` naming the operation.
 *
 * @example
 * const found = yield* tryMongo("getEvent", () => events.findOne({ _id: id }));
 */
export const tryMongo = <A>(operation: string, run: () => Promise<A>): Effect.Effect<A, EventStoreUnavailable> =>
  Effect.tryPromise({
    try: run,
    catch: (cause) => new EventStoreUnavailable({ operation, reason: describeFailure(cause) }),
  });
