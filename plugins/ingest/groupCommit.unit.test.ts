// The group commit: concurrent requests share appends, each gets its own answer.
import { assert, describe, it } from "@effect/vitest";
import { Deferred, Effect, Exit, Fiber } from "effect";
import {
  ConcurrencyError,
  type EventEnvelope,
  EventStoreUnavailable,
  EventWriter,
  type PendingEvent,
  type StreamAppend,
  type StreamAppendOutcome,
  type StreamId,
} from "../../core/index.ts";
import { makeGroupCommit } from "./groupCommit.ts";

const pending = (id: string): PendingEvent => ({ id }) as unknown as PendingEvent;
const streamOf = (name: string) => name as StreamId;

/** An EventWriter whose first appendBatch waits for `gate`, recording every batch it gets. */
const gatedWriter = (
  gate: Deferred.Deferred<void>,
  outcomeOf: (append: StreamAppend) => StreamAppendOutcome | "unavailable",
) => {
  const batches: Array<ReadonlyArray<StreamAppend>> = [];
  const writer = EventWriter.of({
    append: () => Effect.die("not used"),
    appendBatch: (appends) =>
      Effect.gen(function* () {
        batches.push(appends);
        if (batches.length === 1) yield* Deferred.await(gate);
        const outcomes = appends.map(outcomeOf);
        if (outcomes.includes("unavailable")) {
          return yield* new EventStoreUnavailable({ operation: "appendBatch", reason: "down" });
        }
        return outcomes as Array<StreamAppendOutcome>;
      }),
  });
  return { batches, writer };
};

const appended = (append: StreamAppend): StreamAppendOutcome => ({
  _tag: "Appended",
  streamId: append.streamId,
  events: append.events as unknown as ReadonlyArray<EventEnvelope>,
});

describe("group commit", () => {
  it.effect(
    "given requests arriving while an append runs, when it ends, then they share one append in arrival order",
    () =>
      Effect.gen(function* () {
        const gate = yield* Deferred.make<void>();
        const { batches, writer } = gatedWriter(gate, appended);
        const groupCommit = makeGroupCommit();
        const request = (n: number) =>
          groupCommit
            .append([{ streamId: streamOf(n % 2 === 0 ? "even" : "odd"), events: [pending(`e${n}`)] }])
            .pipe(Effect.provideService(EventWriter, writer));
        const first = yield* Effect.forkChild(request(0));
        yield* Effect.yieldNow;
        const rest = yield* Effect.forEach([1, 2, 3, 4, 5], (n) => Effect.forkChild(request(n)));
        yield* Effect.yieldNow;
        yield* Deferred.succeed(gate, undefined);
        yield* Fiber.join(first);
        yield* Effect.forEach(rest, Fiber.join);
        assert.strictEqual(batches.length, 2);
        const second = batches[1]?.map((a) => [a.streamId, a.events.map((e) => e.id)]);
        assert.deepStrictEqual(second, [
          ["odd", ["e1", "e3", "e5"]],
          ["even", ["e2", "e4"]],
        ]);
      }),
  );

  it.effect("given a conflict on one stream, when the group is written, then only its request fails", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>();
      const { writer } = gatedWriter(gate, (append) =>
        append.streamId === "bad"
          ? {
              _tag: "Conflict",
              error: new ConcurrencyError({ streamId: append.streamId, expectedVersion: 1, actualVersion: 2 }),
            }
          : appended(append),
      );
      const groupCommit = makeGroupCommit();
      const request = (stream: string) =>
        groupCommit
          .append([{ streamId: streamOf(stream), events: [pending(stream)] }])
          .pipe(Effect.provideService(EventWriter, writer), Effect.exit);
      const blocker = yield* Effect.forkChild(request("first"));
      yield* Effect.yieldNow;
      const good = yield* Effect.forkChild(request("good"));
      const bad = yield* Effect.forkChild(request("bad"));
      yield* Effect.yieldNow;
      yield* Deferred.succeed(gate, undefined);
      assert.isTrue(Exit.isSuccess(yield* Fiber.join(blocker)));
      assert.isTrue(Exit.isSuccess(yield* Fiber.join(good)));
      const badExit = yield* Fiber.join(bad);
      assert.isTrue(Exit.isFailure(badExit) && String(badExit.cause).includes("ConcurrencyError"));
    }),
  );

  // Live clock: the append's retries back off in real time (tens of milliseconds).
  it.live("given the store down, when a group is written, then every request of it fails and later ones go on", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>();
      let down = true;
      const { batches, writer } = gatedWriter(gate, (append) => (down ? "unavailable" : appended(append)));
      yield* Deferred.succeed(gate, undefined);
      const groupCommit = makeGroupCommit({ maxGroupEvents: 2 });
      const request = (stream: string) =>
        groupCommit
          .append([{ streamId: streamOf(stream), events: [pending(stream)] }])
          .pipe(Effect.provideService(EventWriter, writer), Effect.exit);
      const failed = yield* request("a");
      assert.isTrue(Exit.isFailure(failed) && String(failed.cause).includes("EventStoreUnavailable"));
      assert.isAbove(batches.length, 1, "the append was retried");
      down = false;
      assert.isTrue(Exit.isSuccess(yield* request("b")));
    }),
  );
});
