/**
 * What every ProcessedEvents layer must do, run against the memory layer (unit) and
 * MongoDB/FerretDB (integration).
 *
 * @example
 * processedEventsContract("memory", () => ProcessedEvents.layerMemory);
 */
import { assert, describe, it } from "@effect/vitest";
import { Effect, type Layer } from "effect";
import { ProcessedEvents } from "./ProcessedEvents.ts";

export const processedEventsContract = (name: string, makeLayer: () => Layer.Layer<ProcessedEvents, unknown>): void => {
  describe(`ProcessedEvents (${name})`, () => {
    it.live("given marks, some of them repeated, when asked, then exactly the unmarked ids are unprocessed", () =>
      Effect.gen(function* () {
        const processed = yield* ProcessedEvents;
        yield* processed.markProcessed("group-a", ["e1", "e2"]);
        // e2 again (two consumers racing after a rebalance) must not fail nor lose e3.
        yield* processed.markProcessed("group-a", ["e2", "e3"]);
        yield* processed.markProcessed("group-a", []);
        const left = yield* processed.unprocessed("group-a", ["e1", "e2", "e3", "e4"]);
        assert.deepStrictEqual([...left], ["e4"]);
        const otherGroup = yield* processed.unprocessed("group-b", ["e1", "e4"]);
        assert.deepStrictEqual([...otherGroup].sort(), ["e1", "e4"]);
        assert.strictEqual((yield* processed.unprocessed("group-a", [])).size, 0);
      }).pipe(Effect.provide(makeLayer())),
    );
  });
};
