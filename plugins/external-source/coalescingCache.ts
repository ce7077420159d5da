/**
 * A cache of fetched documents with a time to live, that also coalesces: while a key is
 * being loaded, every other caller of that key waits for the same load instead of
 * starting its own (a hundred devices at one place cost one fetch). Only successes are
 * cached; a failure is shared by the callers that waited for it, then forgotten. Time
 * comes from Effect's Clock, so tests drive it with TestClock.
 *
 * The load runs in a detached fiber: a caller that gives up (interrupted) does not take
 * the others' answer down with it.
 */
import { Clock, Deferred, Effect, Exit } from "effect";

/** hit: served from the cache; miss: this caller's load; coalesced: shared another caller's load. */
export type CacheOutcome = "hit" | "miss" | "coalesced";

export interface Cached<A> {
  readonly value: A;
  /** Clock time the value was loaded at (ms). */
  readonly loadedAt: number;
  readonly outcome: CacheOutcome;
}

export interface CoalescingCache<A, E> {
  /**
   * @example
   * const { value, outcome } = yield* cache.get("52.52|13.40", 60_000, fetchWeather(52.52, 13.4));
   */
  get<R>(key: string, ttlMs: number, load: Effect.Effect<A, E, R>): Effect.Effect<Cached<A>, E, R>;
  /** Entries held (expired ones included until evicted). */
  readonly size: number;
  /** Keys being loaded right now. */
  readonly loading: number;
}

interface Entry<A> {
  readonly value: A;
  readonly loadedAt: number;
  readonly expiresAt: number;
}

/**
 * @example
 * const cache = makeCoalescingCache<unknown, SourceUnavailable>({ maxEntries: 10_000 });
 */
export const makeCoalescingCache = <A, E>(
  options: { readonly maxEntries?: number | undefined } = {},
): CoalescingCache<A, E> => {
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, Entry<A>>();
  const inFlight = new Map<string, Deferred.Deferred<Omit<Cached<A>, "outcome">, E>>();

  const evict = (nowMs: number) => {
    if (entries.size <= maxEntries) return;
    for (const [key, entry] of entries) if (entry.expiresAt <= nowMs) entries.delete(key);
    // Still too many: the oldest inserted go first.
    for (const key of entries.keys()) {
      if (entries.size <= maxEntries) break;
      entries.delete(key);
    }
  };

  const get = <R>(key: string, ttlMs: number, load: Effect.Effect<A, E, R>): Effect.Effect<Cached<A>, E, R> =>
    Effect.flatMap(Clock.currentTimeMillis, (nowMs): Effect.Effect<Cached<A>, E, R> => {
      // Synchronous from here to inFlight.set: no other fiber can start the same load in between.
      const entry = entries.get(key);
      if (entry !== undefined && entry.expiresAt > nowMs) {
        return Effect.succeed({ value: entry.value, loadedAt: entry.loadedAt, outcome: "hit" as const });
      }
      if (entry !== undefined) entries.delete(key);
      const pending = inFlight.get(key);
      if (pending !== undefined) {
        return Effect.map(Deferred.await(pending), (loaded) => ({ ...loaded, outcome: "coalesced" as const }));
      }
      const deferred = Deferred.makeUnsafe<Omit<Cached<A>, "outcome">, E>();
      inFlight.set(key, deferred);
      const leader = load.pipe(
        Effect.flatMap((value) => Effect.map(Clock.currentTimeMillis, (loadedAt) => ({ value, loadedAt }))),
        Effect.onExit((exit) =>
          Effect.suspend(() => {
            inFlight.delete(key);
            if (Exit.isSuccess(exit) && ttlMs > 0) {
              entries.set(key, { ...exit.value, expiresAt: exit.value.loadedAt + ttlMs });
              evict(exit.value.loadedAt);
            }
            return Deferred.done(deferred, exit);
          }),
        ),
      );
      return Effect.forkDetach(leader).pipe(
        Effect.andThen(Deferred.await(deferred)),
        Effect.map((loaded) => ({ ...loaded, outcome: "miss" as const })),
      );
    });

  return {
    get,
    get size() {
      return entries.size;
    },
    get loading() {
      return inFlight.size;
    },
  };
};
