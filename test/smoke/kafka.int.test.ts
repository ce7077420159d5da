// Smoke test through the real broker with the client the platform uses.
import kafkaJavascript from "@confluentinc/kafka-javascript";
import { afterAll, describe, expect, it } from "vitest";
import { eventually, testEnvironment, uniqueName } from "../harness/testEnvironment.ts";

const { Kafka, logLevel } = kafkaJavascript.KafkaJS;

describe("Kafka smoke", () => {
  const { kafkaBootstrapServers } = testEnvironment();
  const kafka = new Kafka({ kafkaJS: { brokers: [kafkaBootstrapServers], logLevel: logLevel.ERROR } });
  const admin = kafka.admin();
  const topic = uniqueName("smoke-keyed");
  const groupId = uniqueName("smoke-group");

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it("keeps per-key order and headers for 1,000 keyed messages and commits offsets", async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });

    const keys = Array.from({ length: 10 }, (_, i) => `device-${i}`);
    const messages = Array.from({ length: 1_000 }, (_, i) => {
      const key = keys[i % keys.length] ?? "device-0";
      const sequence = Math.floor(i / keys.length);
      return { key, value: JSON.stringify({ key, sequence }), headers: { "event-id": `${key}:${sequence}` } };
    });
    const producer = kafka.producer({ "linger.ms": 5 });
    await producer.connect();
    await producer.send({ topic, messages });
    await producer.disconnect();

    const received = new Map<string, Array<number>>();
    let headerMismatches = 0;
    let total = 0;
    const consumer = kafka.consumer({ kafkaJS: { groupId, fromBeginning: true, autoCommit: false } });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const body = JSON.parse(message.value?.toString() ?? "{}") as { key: string; sequence: number };
        if (message.headers?.["event-id"]?.toString() !== `${body.key}:${body.sequence}`) headerMismatches++;
        received.set(body.key, [...(received.get(body.key) ?? []), body.sequence]);
        total++;
        await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
      },
    });
    await eventually(() => (total >= 1_000 ? true : undefined), { what: "1,000 messages" });
    await consumer.disconnect();

    expect(total).toBe(1_000);
    expect(headerMismatches).toBe(0);
    for (const key of keys) {
      expect(received.get(key)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    }
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const endOffsets = await admin.fetchTopicOffsets(topic);
    const committedTotal = (committed?.partitions ?? []).reduce((sum, p) => sum + Number(p.offset), 0);
    const endTotal = endOffsets.reduce((sum, p) => sum + Number(p.high), 0);
    expect(endTotal).toBe(1_000);
    expect(committedTotal).toBe(1_000);
  });
});
