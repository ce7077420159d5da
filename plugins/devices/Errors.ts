import { Schema } from "effect";

/**
 * Another writer appended to the stream between reading it and appending: the command
 * reads the stream again and decides again. Commands retry it a few times, then report
 * it to the caller as the ConcurrencyError it wraps (409).
 *
 * @example
 * runCommand(load, streamId, decide) // retries StreamRaced, fails with ConcurrencyError after 4 attempts
 */
export class StreamRaced extends Schema.TaggedError<StreamRaced>()("StreamRaced", {
  streamId: Schema.String,
  expectedVersion: Schema.Number,
  actualVersion: Schema.Number,
}) {}
