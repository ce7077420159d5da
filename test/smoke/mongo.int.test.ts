// Smoke test through the real MongoDB-wire server with the official driver.
import { MongoClient, MongoServerError } from "mongodb";
import { afterAll, describe, expect, it } from "vitest";
import { testEnvironment, uniqueName } from "../harness/testEnvironment.ts";

describe("MongoDB-wire smoke", () => {
  const { mongodbUri, databaseName } = testEnvironment();
  const client = new MongoClient(mongodbUri);
  const collection = client
    .db(databaseName)
    .collection<{ streamId: string; streamVersion: number }>(uniqueName("smoke"));

  afterAll(async () => {
    await collection.drop().catch(() => undefined);
    await client.close();
  });

  it("inserts, finds, and rejects a duplicate of a compound unique index with code 11000", async () => {
    await collection.createIndex({ streamId: 1, streamVersion: 1 }, { unique: true });
    await collection.insertMany([
      { streamId: "device-1", streamVersion: 1 },
      { streamId: "device-1", streamVersion: 2 },
      { streamId: "device-2", streamVersion: 1 },
    ]);

    const found = await collection.find({ streamId: "device-1" }, { sort: { streamVersion: 1 } }).toArray();
    expect(found.map((d) => d.streamVersion)).toEqual([1, 2]);

    const duplicate = await collection.insertOne({ streamId: "device-1", streamVersion: 2 }).catch((e: unknown) => e);
    expect(duplicate).toBeInstanceOf(MongoServerError);
    expect((duplicate as MongoServerError).code).toBe(11000);
    expect(await collection.countDocuments()).toBe(3);
  });
});
