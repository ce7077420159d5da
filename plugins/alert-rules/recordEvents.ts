/**
 * How the plugin's commands write: append, then fold the stored events into the read
 * models the answer is read from, so a client sees its own write at once (the projection
 * runner folds them again later, idempotently).
 */
import { Effect } from "effect";
import {
  type AnyProjection,
  applyProjectionBatch,
  type EventEnvelope,
  EventWriter,
  type ExpectedVersion,
  type PendingEvent,
  type StreamId,
} from "../../core/index.ts";

/**
 * Folds just-appended events into a projection. The live runner may upsert the same new
 * document at the same moment; the losing upsert fails with a duplicate `_id`, and
 * folding again loads the winner's document and finishes idempotently.
 *
 * @example
 * yield* projectInline(alertsProjection, stored);
 */
export const projectInline = (projection: AnyProjection, stored: ReadonlyArray<EventEnvelope>) =>
  applyProjectionBatch(projection, stored).pipe(
    Effect.retry({ times: 3, while: (error) => error._tag === "ReadModelConstraintViolation" }),
    Effect.catchTag("ReadModelConstraintViolation", Effect.die),
  );

/**
 * Appends (ConcurrencyError when the stream is not at `expectedVersion`) and projects inline.
 *
 * @example
 * yield* recordEvents(ruleStreamId(t, r), 3, [RuleDisabled.make({ ruleId: r }, { tenantId })], [rulesProjection]);
 */
export const recordEvents = Effect.fn("alertRules.recordEvents")(function* (
  streamId: StreamId,
  expectedVersion: ExpectedVersion,
  events: ReadonlyArray<PendingEvent>,
  projections: ReadonlyArray<AnyProjection>,
) {
  const writer = yield* EventWriter;
  const stored = yield* writer.append(streamId, expectedVersion, events);
  for (const projection of projections) yield* projectInline(projection, stored);
  return stored;
});
