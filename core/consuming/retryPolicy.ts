/**
 * How often and how patiently a failing handler is retried before its message is
 * dead-lettered: exponential backoff with jitter, capped, for a fixed number of attempts.
 */
import { Cause, Effect, Schedule } from "effect";
import { PermanentFailure } from "./Errors.ts";

export interface RetryPolicy {
  /** Attempts in all, the first included (default 5). */
  readonly maxAttempts: number;
  /** Delay before the second attempt; doubles after each failure (default 200 ms). */
  readonly baseDelayMs: number;
  /** No wait grows beyond this (default 10 s). */
  readonly maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 10_000 };

const isPermanent = (cause: Cause.Cause<unknown>): boolean =>
  Cause.hasFails(cause) && Cause.squash(cause) instanceof PermanentFailure;

/**
 * Runs `effect` until it succeeds or the policy is spent. Failures and defects are both
 * retried (a thrown exception in a handler is as retryable as a typed error); interruption
 * is passed through untouched. Returns the attempts made and, on give-up, the last cause.
 *
 * @example
 * const outcome = yield* withRetries(handler(event), defaultRetryPolicy);
 * if (outcome._tag === "GaveUp") yield* deadLetter(message, outcome);
 */
export const withRetries = <R>(
  effect: Effect.Effect<void, unknown, R>,
  policy: RetryPolicy,
): Effect.Effect<
  | { readonly _tag: "Succeeded"; readonly attempts: number }
  | { readonly _tag: "GaveUp"; readonly attempts: number; readonly error: string },
  never,
  R
> => {
  let attempts = 0;
  const schedule = Schedule.min([Schedule.exponential(policy.baseDelayMs), Schedule.spaced(policy.maxDelayMs)]).pipe(
    Schedule.jittered,
    Schedule.upTo({ times: policy.maxAttempts - 1 }),
  );
  const attempt: Effect.Effect<void, Cause.Cause<unknown>, R> = Effect.suspend(() => {
    attempts++;
    return effect;
  }).pipe(Effect.sandbox);
  return attempt.pipe(
    Effect.retry({ schedule, while: (cause) => !Cause.hasInterruptsOnly(cause) && !isPermanent(cause) }),
    Effect.map(() => ({ _tag: "Succeeded" as const, attempts })),
    Effect.catch((cause) =>
      Cause.hasInterruptsOnly(cause)
        ? Effect.interrupt
        : Effect.succeed({ _tag: "GaveUp" as const, attempts, error: Cause.pretty(cause) }),
    ),
  );
};
