import { Schema } from "effect";

/** The broker did not acknowledge or answer in time; retrying later may succeed. */
export class EventBusUnavailable extends Schema.TaggedError<EventBusUnavailable>()("EventBusUnavailable", {
  operation: Schema.String,
  reason: Schema.String,
}) {
  // Logs and causes show what failed and why, not only a stack.
  override get message(): string {
    return `${this.operation}: ${this.reason}`;
  }
}
