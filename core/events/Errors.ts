import { Schema } from "effect";

/** A stored or received event whose payload does not match its type's schema. */
export class EventDecodeError extends Schema.TaggedError<EventDecodeError>()("EventDecodeError", {
  eventId: Schema.String,
  type: Schema.String,
  reason: Schema.String,
}) {}
