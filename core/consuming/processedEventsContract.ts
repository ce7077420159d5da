/**
 * What every ProcessedEvents layer must do, run against the memory layer (unit) and
 * MongoDB/FerretDB (integration).
 *
 * @example
 * processedEventsContract("memory", () => ProcessedEvents.layerMemory);
 */
import { assert, describe, it } from "@effect/vitest";
import { Effect, type Layer } from "effect";
import { ProcessedEvents, partitionName } from "./ProcessedEvents.ts";

export const processedEventsContract = (name: string, makeLayer: () => Layer.Layer<ProcessedEvents, unknown>): void => {
  describe(`ProcessedEvents (${name})`, () => {
    it.live("given marks, some of them repeated, when asked, then exactly the unmarked ids are unprocessed", () =>
      Effect.gen(function* () {
        const processed = yield* ProcessedEvents;
        yield* processed.markProcessed("group-a", ["e1", "e2"], []);
        // e2 again (two consumers racing after a rebalance) must not fail nor lose e3.
        yield* processed.markProcessed("group-a", ["e2", "e3"], []);
        yield* processed.markProcessed("group-a", [], []);
        const left = yield* processed.unprocessed("group-a", ["e1", "e2", "e3", "e4"]);
        assert.deepStrictEqual([...left], ["e4"]);
        const otherGroup = yield* processed.unprocessed("group-b", ["e1", "e4"]);
        assert.deepStrictEqual([...otherGroup].sort(), ["e1", "e4"]);
        assert.strictEqual((yield* processed.unprocessed("group-a", [])).size, 0);
      }).pipe(Effect.provide(makeLayer())),
    );

    it.live("given lookups of several groups side by side, then each gets exactly its own unmarked ids", () =>
      Effect.gen(function* () {
        const processed = yield* ProcessedEvents;
        const many = Array.from({ length: 2_500 }, (_, i) => `m${i}`);
        yield* processed.markProcessed("group-x", ["e1", "m7", "m2499"], []);
        yield* processed.markProcessed("group-y", ["e2"], []);
        const [x, y, xMany] = yield* Effect.all(
          [
            processed.unprocessed("group-x", ["e1", "e2"]),
            processed.unprocessed("group-y", ["e1", "e2"]),
            processed.unprocessed("group-x", many),
          ],
          { concurrency: "unbounded" },
        );
        assert.deepStrictEqual([...x], ["e2"]);
        assert.deepStrictEqual([...y], ["e1"]);
        assert.strictEqual(xMany.size, 2_498);
        assert.isFalse(xMany.has("m7") || xMany.has("m2499"));
      }).pipe(Effect.provide(makeLayer())),
    );

    it.live(
      "given finished batches, when asked for settled offsets, then each partition has the highest one its group finished",
      () =>
        Effect.gen(function* () {
          const processed = yield* ProcessedEvents;
          const telemetry = (partition: number, offset: number) => ({ topic: "t.telemetry", partition, offset });
          assert.strictEqual((yield* processed.settledThrough("group-s", [telemetry(0, 0)])).size, 0);
          yield* processed.markProcessed("group-s", ["e1"], [telemetry(0, 41), telemetry(2, 7)]);
          // A member that raced behind after a rebalance must not lower it.
          yield* processed.markProcessed("group-s", [], [telemetry(0, 12)]);
          yield* processed.markProcessed("group-s", [], [telemetry(2, 9)]);
          yield* processed.markProcessed("group-other", [], [telemetry(1, 5)]);
          const settled = yield* processed.settledThrough("group-s", [
            telemetry(0, 0),
            telemetry(1, 0),
            telemetry(2, 0),
          ]);
          assert.deepStrictEqual([...settled].sort(), [
            [partitionName(telemetry(0, 0)), 41],
            [partitionName(telemetry(2, 0)), 9],
          ]);
          assert.strictEqual((yield* processed.settledThrough("group-s", [])).size, 0);
          assert.deepStrictEqual([...(yield* processed.unprocessed("group-s", ["e1", "e2"]))], ["e2"]);
        }).pipe(Effect.provide(makeLayer())),
    );

    it.live(
      "given marks made before and after a moment, when pruned before it, then only the older ones are forgotten",
      () =>
        Effect.gen(function* () {
          const processed = yield* ProcessedEvents;
          yield* processed.markProcessed("group-p", ["old-1", "old-2"], []);
          // Marks carry the store's clock in milliseconds: the next ones are strictly later.
          const moment = new Date(Date.now() + 5);
          while (Date.now() <= moment.getTime()) yield* Effect.sleep("2 millis");
          yield* processed.markProcessed("group-p", ["new-1"], []);
          assert.isAtLeast(yield* processed.prune(moment), 2);
          const left = yield* processed.unprocessed("group-p", ["old-1", "old-2", "new-1"]);
          assert.deepStrictEqual([...left].sort(), ["old-1", "old-2"]);
        }).pipe(Effect.provide(makeLayer())),
    );
  });
};
