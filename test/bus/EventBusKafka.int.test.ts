import { assert, describe, it, layer } from "@effect/vitest";
import { Deferred, Effect, Layer } from "effect";
import { EventBus, type IncomingMessage, type OutgoingMessage } from "../../core/bus/EventBus.ts";
import { layerKafka } from "../../core/bus/EventBusKafka.ts";
import { eventBusContract } from "../../core/bus/eventBusContract.ts";
import { eventually, testEnvironment, uniqueName } from "../harness/testEnvironment.ts";

const { kafkaBootstrapServers } = testEnvironment();
const kafkaBus = layerKafka({ bootstrapServers: kafkaBootstrapServers });

eventBusContract("Kafka", kafkaBus);

const waitFor = <A>(what: string, check: () => A | undefined | Promise<A | undefined>) =>
  Effect.promise(() => eventually(check, { what, timeoutMs: 30_000 }));

const readings = (topic: string, count: number): Array<OutgoingMessage> =>
  Array.from({ length: count }, (_, i) => ({
    topic,
    key: `device-${i % 100}`,
    value: JSON.stringify({ reading: i, celsius: 20 + (i % 10) }),
    headers: { "event-id": `evt-${i}` },
  }));

layer(kafkaBus, { excludeTestServices: true, timeout: "120 seconds" })("EventBusKafka", (it) => {
  it.effect(
    "given 10,000 messages in one publish call, then they are acknowledged in seconds and consumed in large batches",
    () =>
      Effect.gen(function* () {
        const bus = yield* EventBus;
        const topic = uniqueName("kafka-throughput");
        const groupId = uniqueName("throughput");
        yield* bus.ensureTopics([topic], 4);

        const publishStart = performance.now();
        yield* bus.publish(readings(topic, 10_000));
        const publishMs = performance.now() - publishStart;
        const ends = yield* bus.lag(groupId, [topic]);
        assert.strictEqual(
          ends.reduce((sum, row) => sum + Number(row.endOffset), 0),
          10_000,
        );
        assert.isBelow(publishMs, 10_000, "one publish call must not cost a round trip per message");

        const batchSizes: Array<number> = [];
        const consumeStart = performance.now();
        yield* bus.subscribe({ groupId, topics: [topic] }, (batch) => Effect.sync(() => batchSizes.push(batch.length)));
        yield* waitFor("10,000 consumed", () =>
          batchSizes.reduce((sum, size) => sum + size, 0) >= 10_000 ? true : undefined,
        );
        const consumeMs = performance.now() - consumeStart;
        const largest = Math.max(...batchSizes);
        assert.isAtLeast(largest, 100, "batches grow under load");
        assert.isAtMost(largest, 500, "batches never exceed maxBatchSize");
        yield* Effect.logInfo(
          `publish 10,000: ${publishMs.toFixed(0)} ms (${Math.round(10_000 / (publishMs / 1000))} msg/s); ` +
            `consume: ${consumeMs.toFixed(0)} ms in ${batchSizes.length} batches, largest ${largest}`,
        );
      }),
    90_000,
  );

  it.effect(
    "given a new group, when it subscribes, then subscribe returns once joined and the first message arrives within seconds",
    () =>
      Effect.gen(function* () {
        const bus = yield* EventBus;
        const topic = uniqueName("kafka-first");
        yield* bus.publish([{ topic, key: "device-1", value: "hello", headers: {} }]);

        const received: Array<IncomingMessage> = [];
        const start = performance.now();
        yield* bus.subscribe({ groupId: uniqueName("first"), topics: [topic] }, (batch) =>
          Effect.sync(() => received.push(...batch)),
        );
        const joinedMs = performance.now() - start;
        yield* waitFor("first message", () => (received.length > 0 ? true : undefined));
        const firstMessageMs = performance.now() - start;
        assert.isBelow(firstMessageMs, 5_000);
        assert.strictEqual(received[0]?.value, "hello");
        yield* Effect.logInfo(
          `new group: joined in ${joinedMs.toFixed(0)} ms, first message after ${firstMessageMs.toFixed(0)} ms`,
        );
      }),
    60_000,
  );

  it.effect(
    "given two members of one group, then they split the partitions and together receive every message once",
    () =>
      Effect.gen(function* () {
        const bus = yield* EventBus;
        const topic = uniqueName("kafka-members");
        const groupId = uniqueName("members");
        yield* bus.ensureTopics([topic], 4);
        const first: Array<IncomingMessage> = [];
        const second: Array<IncomingMessage> = [];
        yield* bus.subscribe({ groupId, topics: [topic] }, (batch) => Effect.sync(() => first.push(...batch)));
        yield* bus.subscribe({ groupId, topics: [topic] }, (batch) => Effect.sync(() => second.push(...batch)));
        yield* waitFor("both members assigned", async () => {
          const rows = await Effect.runPromise(bus.lag(groupId, [topic]));
          return rows.length === 4 ? true : undefined;
        });

        yield* bus.publish(readings(topic, 400));
        yield* waitFor("400 messages", () => (first.length + second.length >= 400 ? true : undefined));
        const partitionsOf = (messages: ReadonlyArray<IncomingMessage>) => new Set(messages.map((m) => m.partition));
        assert.isAbove(first.length, 0, "first member got partitions");
        assert.isAbove(second.length, 0, "second member got partitions");
        assert.strictEqual(new Set([...first, ...second].map((m) => m.value)).size, 400);
        for (const partition of partitionsOf(first)) assert.isFalse(partitionsOf(second).has(partition));
      }),
    60_000,
  );
});

describe("EventBusKafka without a broker", () => {
  it.live(
    "given an unreachable broker, when the layer starts, then it fails with EventBusUnavailable",
    () =>
      Effect.gen(function* () {
        const unreachable = layerKafka({
          bootstrapServers: "127.0.0.1:1",
          connectTimeoutMs: 2_000,
          clientLogLevel: "nothing",
        });
        const error = yield* Effect.flip(Layer.build(unreachable));
        assert.strictEqual(error._tag, "EventBusUnavailable");
        assert.strictEqual(error.operation, "connect");
      }),
    30_000,
  );
});

describe("EventBusKafka: joining a busy group", () => {
  it.live(
    "given a member stuck in a batch, when a second member joins, then subscribe returns after the join timeout and both consume once it finishes",
    () =>
      Effect.gen(function* () {
        const bus = yield* EventBus;
        const topic = uniqueName("kafka-busy-join");
        const groupId = uniqueName("busy-join");
        yield* bus.ensureTopics([topic], 2);
        const gate = yield* Deferred.make<void>();
        const firstSeen: Array<string> = [];
        const secondSeen: Array<string> = [];
        let holding = false;
        // The first member blocks in its first batch, so the rebalance the second one
        // triggers cannot complete until the gate opens.
        yield* bus.subscribe({ groupId, topics: [topic] }, (batch) =>
          Effect.sync(() => {
            holding = true;
          }).pipe(
            Effect.andThen(Deferred.await(gate)),
            Effect.andThen(Effect.sync(() => firstSeen.push(...batch.map((message) => message.value)))),
          ),
        );
        yield* bus.publish(readings(topic, 20));
        yield* waitFor("the first member holds a batch", () => (holding ? true : undefined));
        const joinStarted = performance.now();
        yield* bus.subscribe({ groupId, topics: [topic] }, (batch) =>
          Effect.sync(() => secondSeen.push(...batch.map((message) => message.value))),
        );
        assert.isAtLeast(performance.now() - joinStarted, 2_000, "subscribe waited for the join timeout");
        yield* Deferred.succeed(gate, undefined);
        yield* bus.publish(readings(topic, 200));
        yield* waitFor("both members consume", () =>
          new Set([...firstSeen, ...secondSeen]).size >= 200 && secondSeen.length > 0 ? true : undefined,
        );
      }).pipe(
        Effect.scoped,
        Effect.provide(layerKafka({ bootstrapServers: kafkaBootstrapServers, joinTimeoutMs: 3_000 })),
      ),
    90_000,
  );
});
