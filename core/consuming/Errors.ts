import { Schema } from "effect";

/**
 * A handler failure that retrying cannot fix (the input itself is wrong): the message goes
 * to the dead-letter topic without further attempts.
 *
 * @example
 * return yield* new PermanentFailure({ reason: "rule references an unknown device" });
 */
export class PermanentFailure extends Schema.TaggedError<PermanentFailure>()("PermanentFailure", {
  reason: Schema.String,
}) {}
