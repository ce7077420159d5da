/**
 * What both bus layers do with one batch: run the subscriber's handler in its own span,
 * turn a failure or a defect into "deliver again", and wait a little longer after each
 * consecutive failure so a broken dependency is not hammered.
 */
import { Cause, Effect, type Exit } from "effect";
import type { BatchHandler, IncomingMessage } from "./EventBus.ts";

/** How long to wait before delivering a failed batch again. */
export interface RedeliveryBackoff {
  /** Wait after the first failure (ms). */
  readonly initialMs: number;
  /** The wait doubles per consecutive failure of the same partition up to this (ms). */
  readonly maxMs: number;
}

/**
 * The wait before redelivery number `attempt` (1 = after the first failure).
 *
 * @example
 * redeliveryDelayMs(3, { initialMs: 100, maxMs: 5_000 }); // 400
 */
export const redeliveryDelayMs = (attempt: number, backoff: RedeliveryBackoff): number =>
  Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, attempt - 1));

/**
 * Runs `handle` on a non-empty batch and reports how it ended; a handler that throws
 * while building its effect counts as a defect, not a crash of the consume loop.
 * Each batch is a root span: the trace a message belongs to travels in its headers.
 *
 * @example
 * const exit = yield* handleBatchOnce(handle, batch);
 * if (Exit.isSuccess(exit)) yield* commit(batch);
 */
export const handleBatchOnce = (
  handle: BatchHandler,
  batch: ReadonlyArray<IncomingMessage>,
): Effect.Effect<Exit.Exit<void, unknown>> => {
  const first = batch[0];
  return Effect.suspend(() => handle(batch)).pipe(
    Effect.withSpan("EventBus.handleBatch", {
      root: true,
      attributes: {
        "messaging.destination.name": first?.topic ?? "",
        "messaging.destination.partition.id": String(first?.partition ?? -1),
        "messaging.batch.message_count": batch.length,
        "messaging.kafka.offset": first?.offset ?? "",
      },
    }),
    Effect.exit,
  );
};

/**
 * Logs that a batch failed and will be delivered again from its first offset.
 *
 * @example
 * yield* logRedelivery(batch, attempt, exit.cause, delayMs);
 */
export const logRedelivery = (
  batch: ReadonlyArray<IncomingMessage>,
  attempt: number,
  cause: Cause.Cause<unknown>,
  delayMs: number,
): Effect.Effect<void> => {
  const first = batch[0];
  return Effect.logWarning(
    `EventBus batch handler failed (attempt ${attempt}); redelivering ${first?.topic}[${first?.partition}] from offset ${first?.offset} in ${delayMs} ms`,
    Cause.pretty(cause),
  );
};
