/**
 * One append at a time per stream, within a process. Two requests of one device appending
 * to its stream at once make the store sort out who gets which versions (insert, detect,
 * delete, retry), which on FerretDB took seconds and could end in a 503; queueing them
 * here costs nothing when requests do not overlap. Other processes may still race: the
 * store stays correct either way, this only spares it the work.
 */
import { Effect, Semaphore } from "effect";

export interface StreamLocks {
  /** Runs `effect` holding the lock of every key (taken in sorted order, so two callers never deadlock). */
  withLocks<A, E, R>(keys: ReadonlyArray<string>, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R>;
  /** Keys currently locked or waited for (for tests). */
  readonly size: () => number;
}

/**
 * @example
 * const locks = makeStreamLocks();
 * yield* locks.withLocks(["telemetry-acme-pump-1"], writer.appendBatch(appends));
 */
export const makeStreamLocks = (): StreamLocks => {
  const held = new Map<string, { readonly semaphore: Semaphore.Semaphore; users: number }>();
  const enter = (key: string) => {
    const entry = held.get(key) ?? { semaphore: Semaphore.makeUnsafe(1), users: 0 };
    entry.users++;
    held.set(key, entry);
    return entry.semaphore;
  };
  const leave = (key: string) => {
    const entry = held.get(key);
    if (entry !== undefined && --entry.users === 0) held.delete(key);
  };
  return {
    withLocks: (keys, effect) => {
      const sorted = [...new Set(keys)].sort();
      const locked = sorted.reduceRight<typeof effect>(
        (inner, key) =>
          Effect.acquireUseRelease(
            Effect.sync(() => enter(key)),
            (semaphore) => Semaphore.withPermits(semaphore, 1)(inner),
            () => Effect.sync(() => leave(key)),
          ),
        effect,
      );
      return locked;
    },
    size: () => held.size,
  };
};
