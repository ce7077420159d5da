/**
 * The all-in-one development process: connects to MongoDB and Kafka and answers
 * /healthz (the process lives) and /readyz (MongoDB and Kafka answer).
 */

import kafkaJavascript from "@confluentinc/kafka-javascript";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { MongoClient } from "mongodb";

const { Kafka, logLevel } = kafkaJavascript.KafkaJS;

const mongodbUri = process.env.MONGODB_URI ?? "mongodb://127.0.0.1:27017/";
const databaseName = process.env.DATABASE_NAME ?? "anansky";
const kafkaBootstrapServers = process.env.KAFKA_BOOTSTRAP_SERVERS ?? "127.0.0.1:9092";
const port = Number(process.env.PORT ?? 8080);

const mongo = new MongoClient(mongodbUri, { serverSelectionTimeoutMS: 2_000 });
const admin = new Kafka({ kafkaJS: { brokers: [kafkaBootstrapServers], logLevel: logLevel.NOTHING } }).admin();

const check = async (probe: () => Promise<unknown>) =>
  probe().then(
    () => ({ ok: true as const }),
    (error: unknown) => ({ ok: false as const, error: String(error) }),
  );

const app = new Hono()
  .get("/healthz", (c) => c.json({ status: "ok" }))
  .get("/readyz", async (c) => {
    const [mongodb, kafka] = await Promise.all([
      check(() => mongo.db(databaseName).command({ ping: 1 })),
      check(() => admin.listTopics()),
    ]);
    const ready = mongodb.ok && kafka.ok;
    return c.json({ status: ready ? "ready" : "not ready", checks: { mongodb, kafka } }, ready ? 200 : 503);
  });

await mongo.connect();
await admin.connect();
const server = serve({ fetch: app.fetch, port, hostname: process.env.HOST ?? "127.0.0.1" }, (info) =>
  console.log(`anansky listening on http://${info.address}:${info.port}`),
);

const shutdown = async () => {
  server.close();
  await Promise.allSettled([mongo.close(), admin.disconnect()]);
  process.exit(0);
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
