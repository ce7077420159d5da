// Readiness probe: the MongoDB-wire server is ready when it answers a ping.
import { MongoClient } from "mongodb";

const client = new MongoClient(process.argv[2], { serverSelectionTimeoutMS: 2_000 });
try {
  await client.db("admin").command({ ping: 1 });
  process.exit(0);
} catch {
  process.exit(1);
} finally {
  await client.close();
}
