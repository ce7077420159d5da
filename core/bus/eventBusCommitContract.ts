/**
 * EventBus contract, commit half: offsets move only after a handler succeeded, failed
 * batches come back, a closing scope lets the batch in flight finish and commit, and
 * topics and lag behave as admin tools expect.
 */
import { assert } from "@effect/vitest";
import { Deferred, Effect, Exit, Scope } from "effect";
import { uniqueName } from "../../test/harness/testEnvironment.ts";
import { type BatchHandler, EventBus, type IncomingMessage } from "./EventBus.ts";
import {
  type ContractIt,
  type ContractTools,
  collector,
  distinctValues,
  keyedMessages,
} from "./eventBusContractFixtures.ts";

/**
 * Registers the commit and redelivery tests in a contract block (see eventBusContract).
 *
 * @example
 * layer(busLayer)("contract", (it) => commitContract(it, contractTools(30_000)));
 */
export const commitContract = (
  it: ContractIt,
  { waitFor, waitForZeroLag, timeoutMs, testTimeoutMs }: ContractTools,
): void => {
  it.effect(
    "given a handler that fails on its first batch, then that batch is redelivered from the same offset, nothing after it is committed first, and the lag ends at 0",
    () =>
      Effect.gen(function* () {
        const bus = yield* EventBus;
        const topic = uniqueName("contract-redeliver");
        const groupId = uniqueName("redeliver");
        yield* bus.ensureTopics([topic], 4);
        yield* bus.publish(keyedMessages(topic, 40, 10));

        const deliveries: Array<{ partition: number; first: bigint; last: bigint; ok: boolean }> = [];
        const handled: Array<IncomingMessage> = [];
        let failing: { partition: number; offset: string } | undefined;
        let attemptsOnFailing = 0;
        let committedWhileFailing: string | undefined;

        const handle: BatchHandler = (batch) =>
          Effect.gen(function* () {
            const [first] = batch;
            const last = batch[batch.length - 1];
            if (first === undefined || last === undefined) return;
            failing ??= { partition: first.partition, offset: first.offset };
            const isFailing = first.partition === failing.partition && first.offset === failing.offset;
            if (isFailing) attemptsOnFailing++;
            const ok = !isFailing || attemptsOnFailing >= 3;
            deliveries.push({
              partition: first.partition,
              first: BigInt(first.offset),
              last: BigInt(last.offset),
              ok,
            });
            if (isFailing && attemptsOnFailing === 1) return yield* Effect.fail("first attempt fails");
            if (isFailing && attemptsOnFailing === 2) {
              const rows = yield* bus.lag(groupId, [topic]);
              committedWhileFailing = rows.find((row) => row.partition === first.partition)?.committedOffset;
              return yield* Effect.die("second attempt dies");
            }
            handled.push(...batch);
          });

        yield* bus.subscribe({ groupId, topics: [topic] }, handle);
        yield* waitForZeroLag(bus, groupId, [topic]);

        assert.strictEqual(attemptsOnFailing, 3, "the failed batch was delivered until it succeeded");
        assert.strictEqual(distinctValues(handled), 40, "every message handled");
        assert.isDefined(committedWhileFailing);
        assert.isTrue(
          BigInt(committedWhileFailing ?? "-1") <= BigInt(failing?.offset ?? "-1"),
          `committed ${committedWhileFailing} must not pass the failing offset ${failing?.offset}`,
        );
        // Per partition, each delivery starts where the last success ended, or repeats a failure.
        for (const partition of new Set(deliveries.map((d) => d.partition))) {
          const ofPartition = deliveries.filter((d) => d.partition === partition);
          ofPartition.slice(1).forEach((delivery, index) => {
            const previous = ofPartition[index];
            const expected = previous?.ok ? previous.last + 1n : previous?.first;
            assert.strictEqual(delivery.first, expected, `partition ${partition} delivery ${index + 1}`);
          });
        }
      }),
    testTimeoutMs,
  );

  it.effect(
    "given a group that consumed and closed, when it subscribes again, then it gets only messages published after its commits",
    () =>
      Effect.gen(function* () {
        const bus = yield* EventBus;
        // One partition: total order, so a redelivered old message would arrive first.
        const topic = uniqueName("contract-resume");
        const groupId = uniqueName("resume");
        yield* bus.ensureTopics([topic], 1);
        yield* bus.publish(keyedMessages(topic, 10, 2));

        const first = collector();
        const firstScope = yield* Scope.make();
        yield* bus.subscribe({ groupId, topics: [topic] }, first.handle).pipe(Scope.provide(firstScope));
        yield* waitFor("first 10 messages", () => (first.messages.length >= 10 ? true : undefined));
        yield* Scope.close(firstScope, Exit.void);
        const [afterClose] = yield* bus.lag(groupId, [topic]);
        assert.strictEqual(afterClose?.committedOffset, "10");

        yield* bus.publish([{ topic, key: "device-0", value: "after-restart", headers: {} }]);
        const second = collector();
        yield* bus.subscribe({ groupId, topics: [topic] }, second.handle);
        yield* waitForZeroLag(bus, groupId, [topic]);
        assert.deepStrictEqual(
          second.messages.map((m) => m.value),
          ["after-restart"],
        );
        assert.strictEqual(second.messages[0]?.offset, "10");
      }),
    testTimeoutMs,
  );

  it.effect(
    "given a handler in flight when the scope closes, then it completes and its offset is committed before the close returns",
    () =>
      Effect.gen(function* () {
        const bus = yield* EventBus;
        const topic = uniqueName("contract-shutdown");
        const groupId = uniqueName("shutdown");
        yield* bus.ensureTopics([topic], 1);
        yield* bus.publish([{ topic, key: "device-0", value: "in-flight", headers: {} }]);

        const started = yield* Deferred.make<void>();
        const closeRequested = yield* Deferred.make<void>();
        let completed = false;
        const handle: BatchHandler = () =>
          Effect.gen(function* () {
            yield* Deferred.succeed(started, undefined);
            yield* Deferred.await(closeRequested);
            yield* Effect.sleep("300 millis"); // slow work still running while the scope closes
            completed = true;
          });

        const scope = yield* Scope.make();
        yield* bus.subscribe({ groupId, topics: [topic] }, handle).pipe(Scope.provide(scope));
        yield* Deferred.await(started).pipe(Effect.timeout(timeoutMs));
        yield* Deferred.succeed(closeRequested, undefined);
        yield* Scope.close(scope, Exit.void);

        assert.isTrue(completed, "the close waited for the handler");
        const [row] = yield* bus.lag(groupId, [topic]);
        assert.strictEqual(row?.committedOffset, "1");
        assert.strictEqual(row?.lag, 0);
      }),
    testTimeoutMs,
  );

  it.effect("given an existing topic, when ensureTopics runs again, then the topic keeps its partitions", () =>
    Effect.gen(function* () {
      const bus = yield* EventBus;
      const topic = uniqueName("contract-ensure");
      yield* bus.ensureTopics([topic], 2);
      yield* bus.ensureTopics([topic], 4);
      const rows = yield* bus.lag(uniqueName("ensure"), [topic]);
      assert.deepStrictEqual(
        rows.map((row) => row.partition),
        [0, 1],
      );
    }),
  );

  it.effect("given a group that never consumed, then its lag counts from the low watermark", () =>
    Effect.gen(function* () {
      const bus = yield* EventBus;
      const topic = uniqueName("contract-lag");
      yield* bus.ensureTopics([topic], 1);
      yield* bus.publish(keyedMessages(topic, 5, 1));
      const rows = yield* bus.lag(uniqueName("idle"), [topic]);
      assert.deepStrictEqual(rows, [{ topic, partition: 0, committedOffset: "0", endOffset: "5", lag: 5 }]);
    }),
  );
};
