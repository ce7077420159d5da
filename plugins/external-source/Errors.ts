/**
 * Failures inside the enrichment path. None of them reaches a caller: a reading whose
 * source failed still flows on, flagged `enrichmentStatus: "unavailable"` with the reason.
 */
import { Schema } from "effect";

/**
 * One fetch of a source failed. Source kinds fail with this; `retryable` says whether
 * trying again soon could help (a timeout, a 503) or not (a 404, a refused address).
 *
 * @example
 * return yield* new SourceFetchFailed({ reason: "answered 503", retryable: true });
 */
export class SourceFetchFailed extends Schema.TaggedError<SourceFetchFailed>()("SourceFetchFailed", {
  reason: Schema.String,
  retryable: Schema.Boolean,
}) {}

/** The source gave no data for this reading (after retries, or without trying: circuit open, rate limit). */
export class SourceUnavailable extends Schema.TaggedError<SourceUnavailable>()("SourceUnavailable", {
  reason: Schema.String,
}) {}
