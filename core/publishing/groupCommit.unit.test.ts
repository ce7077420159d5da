// The group commit: concurrent submissions share writes, each gets its own outcome.
import { assert, describe, it } from "@effect/vitest";
import { Deferred, Effect, Exit, Fiber } from "effect";
import type { EventEnvelope, PendingEvent, StreamId } from "../events/EventEnvelope.ts";
import { ConcurrencyError, EventStoreUnavailable } from "../store/Errors.ts";
import type { ExpectedVersion, StreamAppend, StreamAppendOutcome } from "../store/EventStore.ts";
import { makeGroupCommit } from "./groupCommit.ts";

const pending = (id: string): PendingEvent => ({ id }) as unknown as PendingEvent;
const append = (
  stream: string,
  ids: ReadonlyArray<string>,
  expectedVersion: ExpectedVersion = "any",
): StreamAppend => ({
  streamId: stream as StreamId,
  expectedVersion,
  events: ids.map(pending),
});

const appended = (streamAppend: StreamAppend): StreamAppendOutcome => ({
  _tag: "Appended",
  streamId: streamAppend.streamId,
  events: streamAppend.events as unknown as ReadonlyArray<EventEnvelope>,
});

/** A write whose first call waits for `gate`; records every group it gets as [stream, ids]. */
const gatedWrite = (gate: Deferred.Deferred<void>, outcomeOf: (append: StreamAppend) => StreamAppendOutcome) => {
  const groups: Array<Array<[string, Array<string>]>> = [];
  let down = false;
  const write = (appends: ReadonlyArray<StreamAppend>) =>
    Effect.gen(function* () {
      groups.push(appends.map((a) => [a.streamId, a.events.map((e) => e.id)]));
      if (groups.length === 1) yield* Deferred.await(gate);
      if (down) return yield* new EventStoreUnavailable({ operation: "appendBatch", reason: "down" });
      return appends.map(outcomeOf);
    });
  return { groups, write, setDown: (value: boolean) => (down = value) };
};

/** Submits the first, lets the rest queue behind it, then opens the gate and joins them all. */
const submitBehindFirst = <A, E>(
  gate: Deferred.Deferred<void>,
  first: Effect.Effect<A, E>,
  rest: ReadonlyArray<Effect.Effect<A, E>>,
) =>
  Effect.gen(function* () {
    const firstFiber = yield* Effect.forkChild(first);
    yield* Effect.yieldNow;
    const restFibers = yield* Effect.forEach(rest, (effect) => Effect.forkChild(effect));
    yield* Effect.yieldNow;
    yield* Deferred.succeed(gate, undefined);
    return [yield* Fiber.join(firstFiber), ...(yield* Effect.forEach(restFibers, Fiber.join))];
  });

describe("group commit", () => {
  it.effect("given submissions while a write runs, when it ends, then they share one write, per stream in order", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>();
      const { groups, write } = gatedWrite(gate, appended);
      const groupCommit = makeGroupCommit(write);
      const submit = (n: number) => groupCommit.submit([append(n % 2 === 0 ? "even" : "odd", [`e${n}`])]);
      const outcomes = yield* submitBehindFirst(gate, submit(0), [1, 2, 3, 4, 5].map(submit));
      assert.deepStrictEqual(groups, [
        [["even", ["e0"]]],
        [
          ["odd", ["e1", "e3", "e5"]],
          ["even", ["e2", "e4"]],
        ],
      ]);
      // Each submission gets back its own events only.
      const idsOf = (result: ReadonlyArray<StreamAppendOutcome>) =>
        result.flatMap((outcome) => (outcome._tag === "Appended" ? outcome.events.map((e) => e.id) : []));
      assert.deepStrictEqual(outcomes.map(idsOf), [["e0"], ["e1"], ["e2"], ["e3"], ["e4"], ["e5"]]);
    }),
  );

  it.effect(
    "given an expected-version append to a stream the group holds, when grouping, then it and what follows wait for the next write",
    () =>
      Effect.gen(function* () {
        const gate = yield* Deferred.make<void>();
        const { groups, write } = gatedWrite(gate, appended);
        const groupCommit = makeGroupCommit(write);
        yield* submitBehindFirst(gate, groupCommit.submit([append("warm-up", ["w"])]), [
          groupCommit.submit([append("s", ["a"])]),
          groupCommit.submit([append("s", ["b"], 1)]),
          groupCommit.submit([append("t", ["c"])]),
        ]);
        assert.deepStrictEqual(groups.slice(1), [
          [["s", ["a"]]],
          [
            ["s", ["b"]],
            ["t", ["c"]],
          ],
        ]);
      }),
  );

  it.effect("given a conflict on one stream, when the group is written, then only its submission sees it", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>();
      const conflict = new ConcurrencyError({ streamId: "bad" as StreamId, expectedVersion: 1, actualVersion: 2 });
      const { write } = gatedWrite(gate, (a) =>
        a.streamId === "bad" ? { _tag: "Conflict", error: conflict } : appended(a),
      );
      const groupCommit = makeGroupCommit(write);
      const [, good, bad] = yield* submitBehindFirst(gate, groupCommit.submit([append("first", ["f"])]), [
        groupCommit.submit([append("good", ["g"])]),
        groupCommit.submit([append("bad", ["x"], 1)]),
      ]);
      assert.strictEqual(good?.[0]?._tag, "Appended");
      assert.strictEqual(bad?.[0]?._tag, "Conflict");
    }),
  );

  it.effect(
    "given the store down, when a group is written, then each of its submissions fails and later ones go on",
    () =>
      Effect.gen(function* () {
        const gate = yield* Deferred.make<void>();
        const { write, setDown } = gatedWrite(gate, appended);
        yield* Deferred.succeed(gate, undefined);
        const groupCommit = makeGroupCommit(write);
        setDown(true);
        const failed = yield* Effect.exit(groupCommit.submit([append("a", ["a1"])]));
        assert.isTrue(Exit.isFailure(failed) && String(failed.cause).includes("EventStoreUnavailable"));
        setDown(false);
        const [outcome] = yield* groupCommit.submit([append("a", ["a2"])]);
        assert.strictEqual(outcome?._tag, "Appended");
      }),
  );
});
