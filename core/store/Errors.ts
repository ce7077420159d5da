import { Schema } from "effect";

/** Another writer appended to the stream first: re-read it and decide again. */
export class ConcurrencyError extends Schema.TaggedError<ConcurrencyError>()("ConcurrencyError", {
  streamId: Schema.String,
  expectedVersion: Schema.Union([Schema.Number, Schema.Literal("any")]),
  actualVersion: Schema.Number,
}) {}

/** The store did not answer or refused the operation; retrying later may succeed. */
export class EventStoreUnavailable extends Schema.TaggedError<EventStoreUnavailable>()("EventStoreUnavailable", {
  operation: Schema.String,
  reason: Schema.String,
}) {
  // Logs and causes show what failed and why, not only a stack.
  override get message(): string {
    return `${this.operation}: ${this.reason}`;
  }
}
