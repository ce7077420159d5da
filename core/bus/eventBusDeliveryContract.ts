/**
 * EventBus contract, delivery half: what a subscriber receives (content, per-key order,
 * batches of one partition, every group gets everything, bounded concurrency).
 */
import { assert } from "@effect/vitest";
import { Effect } from "effect";
import { uniqueName } from "../../test/harness/testEnvironment.ts";
import { type BatchHandler, EventBus, type OutgoingMessage } from "./EventBus.ts";
import {
  type ContractIt,
  type ContractTools,
  collector,
  distinctValues,
  keyedMessages,
  sequenceOf,
} from "./eventBusContractFixtures.ts";

/**
 * Registers the delivery tests in a contract block (see eventBusContract).
 *
 * @example
 * layer(busLayer)("contract", (it) => deliveryContract(it, contractTools(30_000)));
 */
export const deliveryContract = (it: ContractIt, { waitFor, waitForZeroLag, testTimeoutMs }: ContractTools): void => {
  it.effect(
    "given published messages, when a group subscribes, then it receives each with key, value and headers intact",
    () =>
      Effect.gen(function* () {
        const bus = yield* EventBus;
        const topic = uniqueName("contract-intact");
        const sent = keyedMessages(topic, 20, 5);
        yield* bus.ensureTopics([topic]);
        yield* bus.publish(sent);

        const received = collector();
        yield* bus.subscribe({ groupId: uniqueName("intact"), topics: [topic] }, received.handle);
        yield* waitFor("20 messages", () => (received.messages.length >= 20 ? true : undefined));

        const project = (m: OutgoingMessage) => JSON.stringify([m.topic, m.key, m.value, m.headers]);
        assert.deepStrictEqual(received.messages.map(project).sort(), sent.map(project).sort());
        for (const message of received.messages) {
          assert.match(message.offset, /^\d+$/);
          assert.isTrue(message.partition >= 0 && message.partition < 4, `partition ${message.partition}`);
        }
      }),
    testTimeoutMs,
  );

  it.effect(
    "given 500 messages over 10 keys on 4 partitions, then per-key order holds and each batch is consecutive messages of one partition",
    () =>
      Effect.gen(function* () {
        const bus = yield* EventBus;
        const topic = uniqueName("contract-order");
        const groupId = uniqueName("order");
        yield* bus.ensureTopics([topic], 4);
        yield* bus.publish(keyedMessages(topic, 500, 10));

        const received = collector();
        yield* bus.subscribe({ groupId, topics: [topic] }, received.handle);
        yield* waitForZeroLag(bus, groupId, [topic]);

        assert.strictEqual(received.messages.length, 500);
        for (let key = 0; key < 10; key++) {
          const sequences = received.messages.filter((m) => m.key === `device-${key}`).map(sequenceOf);
          assert.deepStrictEqual(
            sequences,
            Array.from({ length: 50 }, (_, i) => i),
            `order of device-${key}`,
          );
        }
        for (const batch of received.batches) {
          const [first] = batch;
          batch.forEach((message, index) => {
            assert.strictEqual(message.partition, first?.partition, "one partition per batch");
            assert.strictEqual(BigInt(message.offset), BigInt(first?.offset ?? "0") + BigInt(index), "consecutive");
          });
        }
        assert.isAbove(new Set(received.messages.map((m) => m.partition)).size, 1, "keys spread over partitions");
      }),
    testTimeoutMs,
  );

  it.effect(
    "given two groups, then each receives every message",
    () =>
      Effect.gen(function* () {
        const bus = yield* EventBus;
        const topic = uniqueName("contract-groups");
        yield* bus.ensureTopics([topic]);
        yield* bus.publish(keyedMessages(topic, 30, 6));

        const alerts = collector();
        const projections = collector();
        yield* bus.subscribe({ groupId: uniqueName("alerts"), topics: [topic] }, alerts.handle);
        yield* bus.subscribe({ groupId: uniqueName("projections"), topics: [topic] }, projections.handle);
        yield* waitFor("30 messages in both groups", () =>
          distinctValues(alerts.messages) >= 30 && distinctValues(projections.messages) >= 30 ? true : undefined,
        );
        assert.strictEqual(distinctValues(alerts.messages), 30);
        assert.strictEqual(distinctValues(projections.messages), 30);
      }),
    testTimeoutMs,
  );

  it.effect(
    "given concurrency 2, then at most 2 partitions are handled at once",
    () =>
      Effect.gen(function* () {
        const bus = yield* EventBus;
        const topic = uniqueName("contract-concurrency");
        const groupId = uniqueName("concurrency");
        yield* bus.ensureTopics([topic], 4);
        yield* bus.publish(keyedMessages(topic, 80, 40));

        let inFlight = 0;
        let mostInFlight = 0;
        const partitionsInFlight = new Set<number>();
        let samePartitionTwice = false;
        const handle: BatchHandler = (batch) =>
          Effect.gen(function* () {
            const partition = batch[0]?.partition ?? -1;
            if (partitionsInFlight.has(partition)) samePartitionTwice = true;
            partitionsInFlight.add(partition);
            inFlight++;
            mostInFlight = Math.max(mostInFlight, inFlight);
            yield* Effect.sleep("20 millis");
            inFlight--;
            partitionsInFlight.delete(partition);
          });

        yield* bus.subscribe({ groupId, topics: [topic], concurrency: 2 }, handle);
        yield* waitForZeroLag(bus, groupId, [topic]);
        assert.isAtMost(mostInFlight, 2);
        assert.strictEqual(mostInFlight, 2, "two partitions in flight at once");
        assert.isFalse(samePartitionTwice, "a partition is never handled twice at once");
      }),
    testTimeoutMs,
  );

  it.effect(
    "given fromBeginning false, then a new group gets only messages published after subscribe returned",
    () =>
      Effect.gen(function* () {
        const bus = yield* EventBus;
        const topic = uniqueName("contract-latest");
        yield* bus.ensureTopics([topic], 1);
        yield* bus.publish([{ topic, key: "device-1", value: "before", headers: {} }]);
        const received = collector();
        yield* bus.subscribe({ groupId: uniqueName("latest"), topics: [topic], fromBeginning: false }, received.handle);
        yield* bus.publish([{ topic, key: "device-1", value: "after", headers: {} }]);
        yield* waitFor("the message published after subscribe", () =>
          received.messages.length > 0 ? true : undefined,
        );
        assert.deepStrictEqual(
          received.messages.map((m) => m.value),
          ["after"],
        );
      }),
    testTimeoutMs,
  );
};
