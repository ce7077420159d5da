/**
 * Child process for the crash test: appends one event to the store, reports its id on
 * stdout, then waits to be killed with SIGKILL before anything could publish it.
 * Usage: node appendThenHang.ts <mongodbUri> <databaseName>
 */
import { Effect, Schema } from "effect";
import { MongoClient } from "mongodb";
import { defineEvent, EventStore, type StreamId, type TenantId } from "../../core/index.ts";
import { layerMongo } from "../../core/store/EventStoreMongo.ts";

const [mongodbUri = "", databaseName = ""] = process.argv.slice(2);
const CrashProbe = defineEvent({
  type: "CrashProbe",
  family: "crash",
  payload: Schema.Struct({ note: Schema.String }),
});
const client = new MongoClient(mongodbUri);

const stored = await Effect.runPromise(
  EventStore.use((store) =>
    store.appendToStream(`device-crash-${process.pid}` as StreamId, 0, [
      CrashProbe.make({ note: "appended, never published" }, { tenantId: "tenant-crash" as TenantId }),
    ]),
  ).pipe(Effect.provide(layerMongo({ client, databaseName }))),
);
process.stdout.write(`${JSON.stringify({ appended: stored[0]?.id })}\n`);
setInterval(() => undefined, 60_000);
