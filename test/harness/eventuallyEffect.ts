/**
 * Polls an effect until it yields a value other than undefined, or dies at the deadline:
 * the Effect twin of `eventually`, for `it.live` tests (no fixed sleeps).
 *
 * @example
 * const list = yield* eventuallyEffect(deadLetters.list({}).pipe(Effect.map((l) => (l.length > 0 ? l : undefined))));
 */
import { Duration, Effect, Schedule } from "effect";

export const eventuallyEffect = <A, E, R>(
  check: Effect.Effect<A | undefined, E, R>,
  {
    timeout = "20 seconds",
    interval = "10 millis",
    what = "condition",
  }: { timeout?: Duration.Input; interval?: Duration.Input; what?: string } = {},
): Effect.Effect<A, never, R> =>
  check.pipe(
    Effect.flatMap((value) => (value === undefined ? Effect.fail("not yet" as const) : Effect.succeed(value))),
    Effect.retry({ schedule: Schedule.spaced(interval), while: (error) => error === "not yet" }),
    Effect.timeoutOrElse({
      duration: timeout,
      orElse: () =>
        Effect.die(
          new Error(`timed out after ${Duration.format(Duration.fromInputUnsafe(timeout))} waiting for ${what}`),
        ),
    }),
    Effect.orDie,
  );
