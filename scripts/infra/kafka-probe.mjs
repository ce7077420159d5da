// Readiness probe: the broker is ready only when a produced message comes back to a consumer.
import kafkaJavascript from "@confluentinc/kafka-javascript";

const { Kafka, logLevel } = kafkaJavascript.KafkaJS;
const bootstrap = process.argv[2];
const topic = "anansky-readiness-probe";
const token = `probe-${process.pid}-${Date.now()}`;
const kafka = new Kafka({ kafkaJS: { brokers: [bootstrap], logLevel: logLevel.NOTHING } });

const admin = kafka.admin();
await admin.connect();
if (!(await admin.listTopics()).includes(topic)) {
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] }).catch(() => undefined);
}
await admin.disconnect();

const producer = kafka.producer();
await producer.connect();
await producer.send({ topic, messages: [{ key: "probe", value: token }] });
await producer.disconnect();

const consumer = kafka.consumer({ kafkaJS: { groupId: token, fromBeginning: true } });
await consumer.connect();
await consumer.subscribe({ topics: [topic] });
const seen = await new Promise((resolve) => {
  const timer = setTimeout(() => resolve(false), 30_000);
  consumer.run({
    eachMessage: async ({ message }) => {
      if (message.value?.toString() === token) {
        clearTimeout(timer);
        resolve(true);
      }
    },
  });
});
await consumer.disconnect();
process.exit(seen ? 0 : 1);
