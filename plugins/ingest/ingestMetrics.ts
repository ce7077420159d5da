/**
 * Ingest's metrics: readings accepted, and readings or requests rejected by reason (the
 * error's tag for a refused request, `invalid_reading` for items of a partial batch).
 */
import { Effect } from "effect";
import { recordIngestRejected, recordReadingsIngested } from "../../core/index.ts";

interface Outcome {
  readonly replayed: boolean;
  readonly body: unknown;
}

const tagOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
    ? error._tag
    : "unexpected";

/**
 * @example
 * context.run(recordTelemetry(request, deps).pipe(withIngestMetrics));
 */
export const withIngestMetrics = <A extends Outcome, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  effect.pipe(
    Effect.tap((outcome) => {
      if (outcome.replayed) return Effect.void;
      const body = outcome.body as { accepted?: number; rejected?: ReadonlyArray<unknown> };
      return Effect.all([
        recordReadingsIngested(body.accepted ?? 0),
        (body.rejected?.length ?? 0) > 0 ? recordIngestRejected("invalid_reading", body.rejected?.length) : Effect.void,
      ]);
    }),
    Effect.tapError((error) => recordIngestRejected(tagOf(error))),
  );
