/**
 * Reliable publication across a crash: a process appends an event and is killed with
 * SIGKILL before publishing it; after a restart of the platform the sweeper publishes
 * it, and it is on Kafka and marked published in the store.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import kafkaJavascript from "@confluentinc/kafka-javascript";
import { MongoClient } from "mongodb";
import { afterAll, describe, expect, it } from "vitest";
import { repositoryRoot as root, startPlatform } from "../harness/platformProcess.ts";
import { eventually, testEnvironment, uniqueName } from "../harness/testEnvironment.ts";

const { Kafka, logLevel } = kafkaJavascript.KafkaJS;
const children: Array<ChildProcess> = [];
const { mongodbUri, databaseName, kafkaBootstrapServers } = testEnvironment();

/** The child's report line (it may log other lines before it). */
const reportLine = async (child: ChildProcess): Promise<string> => {
  let buffer = "";
  for await (const chunk of child.stdout ?? []) {
    buffer += String(chunk);
    const line = buffer.split("\n").find((candidate) => candidate.startsWith('{"appended"'));
    if (line !== undefined) return line;
  }
  throw new Error("child exited without reporting");
};

afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

describe("publication after a crash", () => {
  it("publishes an event whose writer was SIGKILLed between append and publish", async () => {
    const database = `${databaseName}_crash`;
    const topicPrefix = uniqueName("crash");
    const writer = spawn(process.execPath, ["test/kernel/appendThenHang.ts", mongodbUri, database], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(writer);
    const { appended } = JSON.parse(await reportLine(writer)) as { appended: string };
    writer.kill("SIGKILL");
    const [, signal] = await once(writer, "exit");
    expect(signal).toBe("SIGKILL");

    const client = new MongoClient(mongodbUri);
    const outbox = client.db(database).collection<{ _id: string; eventIds: Array<string> }>("outbox");
    expect(await outbox.findOne({ eventIds: appended })).not.toBeNull();

    const platform = await startPlatform({
      MODE: "consumer",
      DATABASE_NAME: database,
      ANANSKY_TOPIC_PREFIX: topicPrefix,
      ANANSKY_SWEEP_AFTER_MS: "100",
    });

    const kafka = new Kafka({ kafkaJS: { brokers: [kafkaBootstrapServers], logLevel: logLevel.NOTHING } });
    const consumer = kafka.consumer({ kafkaJS: { groupId: uniqueName("crash-reader"), fromBeginning: true } });
    const seen: Array<string> = [];
    await consumer.connect();
    await eventually(
      async () => {
        const admin = kafka.admin();
        await admin.connect();
        const topics = await admin.listTopics();
        await admin.disconnect();
        return topics.includes(`${topicPrefix}.unclassified`) ? true : undefined;
      },
      { what: "the sweeper to publish to the topic", timeoutMs: 60_000, intervalMs: 250 },
    );
    await consumer.subscribe({ topics: [`${topicPrefix}.unclassified`] });
    await consumer.run({
      eachMessage: async ({ message }) => void seen.push(message.headers?.["anansky-event-id"]?.toString() ?? ""),
    });
    await eventually(() => (seen.includes(appended) ? true : undefined), { what: "the event on Kafka" });
    await eventually(async () => ((await outbox.findOne({ eventIds: appended })) === null ? true : undefined), {
      what: "the event marked published",
    });
    await consumer.disconnect();
    expect(await platform.stop()).toBe(0);
    await client.close();
  });
});
