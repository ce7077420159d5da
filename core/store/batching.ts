/**
 * Batching of store calls made side by side (a consumer batch's keys are handled at once):
 * whatever is submitted while a call is in flight goes into the next call, together. The
 * store then sees one round trip per round instead of one per caller, which matters most
 * on FerretDB 1.x, where every read, update and delete scans its collection. A submission
 * is never answered by a call that began before it was submitted, so a load sees every
 * write that finished before it was asked for.
 */
import { Cause, Deferred, Effect, Exit } from "effect";

interface Waiting<I, O, E> {
  readonly input: I;
  readonly done: Deferred.Deferred<O, E>;
}

/**
 * One round: an outcome per input, in input order.
 *
 * @example
 * const round: Round<string, number, never> = (keys) => Effect.succeed(keys.map((key) => Exit.succeed(key.length)));
 */
export type Round<I, O, E> = (inputs: ReadonlyArray<I>) => Effect.Effect<ReadonlyArray<Exit.Exit<O, E>>>;

/**
 * @example
 * const lengths = makeBatcher<string, number, never>((keys) => Effect.succeed(keys.map((key) => Exit.succeed(key.length))));
 * const n = yield* lengths.submit("abc"); // 3
 */
export const makeBatcher = <I, O, E>(
  round: Round<I, O, E>,
  options: {
    /** How many of the oldest waiting inputs the next round takes (at least one); default up to 500. */
    readonly take?: ((waiting: ReadonlyArray<I>) => number) | undefined;
  } = {},
) => {
  const take = options.take ?? ((waiting: ReadonlyArray<I>) => Math.min(waiting.length, 500));
  const queue: Array<Waiting<I, O, E>> = [];
  let running = false;

  const runRound = Effect.fnUntraced(function* (group: ReadonlyArray<Waiting<I, O, E>>) {
    const outcomes = yield* round(group.map((waiting) => waiting.input));
    for (const [index, waiting] of group.entries()) {
      const outcome = outcomes[index];
      if (outcome === undefined) yield* Deferred.die(waiting.done, new Error("batching: a round lost an outcome"));
      else yield* Deferred.done(waiting.done, outcome);
    }
  });

  // Seeing the queue empty and clearing `running` happen in one step, so a submission
  // queued meanwhile is never left without a round.
  const drain: Effect.Effect<void> = Effect.suspend(() => {
    if (queue.length === 0) {
      running = false;
      return Effect.void;
    }
    const count = Math.max(1, take(queue.map((waiting) => waiting.input)));
    return Effect.andThen(runRound(queue.splice(0, count)), drain);
  }).pipe(
    Effect.catchCause((cause) =>
      Effect.gen(function* () {
        // Not expected (a round answers every submission it took), but none may wait forever.
        running = false;
        for (const waiting of queue.splice(0)) yield* Deferred.die(waiting.done, Cause.squash(cause));
        yield* Effect.logError(`batching stopped: ${Cause.pretty(cause)}`);
      }),
    ),
  );

  return {
    submit: (input: I): Effect.Effect<O, E> =>
      Effect.gen(function* () {
        const done = yield* Deferred.make<O, E>();
        queue.push({ input, done });
        if (!running) {
          running = true;
          yield* Effect.forkDetach(drain);
        }
        return yield* Deferred.await(done);
      }),
  };
};

/**
 * Loads by key, the keys of a round in one query. `loadMany` answers the keys it found.
 *
 * @example
 * const loads = makeBatchedLoads((keys) => loadNewest(store, keys));
 * const [a, b] = yield* Effect.all([loads.load("a"), loads.load("b")], { concurrency: 2 }); // one query
 */
export const makeBatchedLoads = <V, E>(
  loadMany: (keys: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, V>, E>,
): BatchedLoads<V, E> => {
  const batcher = makeBatcher<string, V | undefined, E>((keys) =>
    Effect.map(Effect.exit(loadMany([...new Set(keys)])), (loaded) =>
      keys.map(
        (key): Exit.Exit<V | undefined, E> =>
          Exit.isFailure(loaded) ? Exit.failCause(loaded.cause) : Exit.succeed(loaded.value.get(key)),
      ),
    ),
  );
  return { load: batcher.submit };
};

export interface BatchedLoads<V, E> {
  /** The value stored under `key` (undefined when there is none). */
  load(key: string): Effect.Effect<V | undefined, E>;
}

/**
 * Writes, the writes of a round in one call. When that call fails on a conflict
 * (`isConflict`: a unique key, a revision that moved on) the round's writes are made again
 * one submission at a time, so each learns whether its own write conflicted.
 *
 * @example
 * const writes = makeBatchedWrites((all) => store.writeMany(collection, all), isConstraintViolation);
 * yield* writes.write([{ id, doc, create: true }]);
 */
export const makeBatchedWrites = <W, E>(
  writeMany: (writes: ReadonlyArray<W>) => Effect.Effect<void, E>,
  isConflict: (error: E) => boolean,
) => {
  const batcher = makeBatcher<ReadonlyArray<W>, void, E>((submissions) =>
    Effect.gen(function* () {
      const together = yield* Effect.exit(writeMany(submissions.flat()));
      const conflicted =
        Exit.isFailure(together) &&
        submissions.length > 1 &&
        together.cause.reasons.every((reason) => Cause.isFailReason(reason) && isConflict(reason.error));
      if (!conflicted) return submissions.map(() => together);
      return yield* Effect.forEach(submissions, (submission) => Effect.exit(writeMany(submission)));
    }),
  );
  return { write: batcher.submit };
};
