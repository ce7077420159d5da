import { Schema } from "effect";

/** The broker did not acknowledge or answer in time; retrying later may succeed. */
export class EventBusUnavailable extends Schema.TaggedError<EventBusUnavailable>()("EventBusUnavailable", {
  operation: Schema.String,
  reason: Schema.String,
}) {}
