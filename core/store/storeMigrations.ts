/**
 * Schema migrations of the MongoDB event store, applied when the store's layer starts.
 * The applied version is recorded as `{ _id: "events", version, appliedAt }` in
 * `schema_migrations`; only migrations above it run, so a restart is a no-op. Each step
 * is idempotent too (creating an existing index changes nothing), so two processes
 * starting at once both succeed.
 */
import { Effect } from "effect";
import type { EventStoreUnavailable } from "./Errors.ts";
import { type EventStoreCollections, tryMongo } from "./mongoCollections.ts";

interface Migration {
  readonly version: number;
  readonly description: string;
  readonly apply: (collections: EventStoreCollections) => Promise<unknown>;
}

const migrationsId = "events";

const migrations: ReadonlyArray<Migration> = [
  {
    version: 1,
    description: "events: unique stream versions, outbox sweep, causation and type indexes",
    apply: ({ events }) =>
      events.createIndexes([
        // The arbiter of optimistic concurrency: one event per stream version.
        { key: { streamId: 1, streamVersion: 1 }, name: "streamId_streamVersion_unique", unique: true },
        { key: { published: 1, recordedAt: 1 }, name: "published_recordedAt" },
        { key: { causationId: 1 }, name: "causationId" },
        { key: { type: 1, _id: 1 }, name: "type_id" },
      ]),
  },
  {
    version: 2,
    description: "outbox collection replaces the events' published flag",
    apply: ({ events, outbox }) =>
      events
        .dropIndex("published_recordedAt")
        .catch(() => undefined)
        .then(() => outbox.createIndex({ recordedAt: 1 }, { name: "recordedAt" })),
  },
];

/** The schema version this code brings the event store to. */
export const eventStoreSchemaVersion = Math.max(...migrations.map((migration) => migration.version));

/**
 * Applies the migrations the database has not seen yet and records each one.
 * Returns the schema version the database is at afterwards.
 *
 * @example
 * const version = yield* applyStoreMigrations(collections); // 1
 */
export const applyStoreMigrations = Effect.fn("EventStore.migrate")(function* (
  collections: EventStoreCollections,
): Effect.fn.Return<number, EventStoreUnavailable> {
  const recorded = yield* tryMongo("migrate", () => collections.migrations.findOne({ _id: migrationsId }));
  const current = recorded?.version ?? 0;
  for (const migration of migrations.filter(({ version }) => version > current)) {
    yield* Effect.logInfo(`event store migration ${migration.version}: ${migration.description}`);
    yield* tryMongo(`migrate to ${migration.version}`, () => migration.apply(collections));
    yield* tryMongo("migrate", () =>
      collections.migrations.updateOne(
        { _id: migrationsId },
        { $set: { version: migration.version, appliedAt: new Date() } },
        { upsert: true },
      ),
    );
  }
  return Math.max(current, eventStoreSchemaVersion);
});
