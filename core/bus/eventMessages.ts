/**
 * How an event travels on Kafka: key = stream id (per-device order), value = the envelope
 * as JSON, headers mirror the envelope's identity and trace context so consumers can
 * route, dedupe and continue the trace without parsing the value.
 */
import { Effect, Schema } from "effect";
import { EventDecodeError } from "../events/Errors.ts";
import { EventEnvelope } from "../events/EventEnvelope.ts";
import type { EventRegistryShape } from "../events/EventRegistry.ts";
import type { IncomingMessage, OutgoingMessage } from "./EventBus.ts";

export const EventHeaders = {
  eventId: "anansky-event-id",
  eventType: "anansky-event-type",
  schemaVersion: "anansky-schema-version",
  tenantId: "anansky-tenant-id",
  correlationId: "anansky-correlation-id",
  traceparent: "traceparent",
  /** Set on replayed dead letters: only this consumer group handles the message again. */
  replayForGroup: "anansky-replay-for-group",
  /**
   * Set when the event may be on Kafka already (the publisher's sweeper sends it again):
   * consumers look its id up; a first publication they need not.
   */
  republished: "anansky-republished",
} as const;

/**
 * @example
 * yield* bus.publish(events.map((event) => eventToMessage(registry, event)));
 */
export const eventToMessage = (
  registry: EventRegistryShape,
  event: EventEnvelope,
  options: { readonly republished?: boolean } = {},
): OutgoingMessage => {
  const headers: Record<string, string> = {
    [EventHeaders.eventId]: event.id,
    [EventHeaders.eventType]: event.type,
    [EventHeaders.schemaVersion]: String(event.schemaVersion),
    [EventHeaders.tenantId]: event.tenantId,
    [EventHeaders.correlationId]: event.correlationId,
  };
  if (event.traceparent !== null) headers[EventHeaders.traceparent] = event.traceparent;
  if (options.republished === true) headers[EventHeaders.republished] = "true";
  return { topic: registry.topicFor(event.type), key: event.streamId, value: JSON.stringify(event), headers };
};

const decodeEnvelopeJson = Schema.decodeUnknownEffect(Schema.fromJsonString(EventEnvelope));

/** Decodes a message's value back into an envelope; a malformed message is an EventDecodeError. */
export const messageToEvent = (message: IncomingMessage): Effect.Effect<EventEnvelope, EventDecodeError> =>
  decodeEnvelopeJson(message.value).pipe(
    Effect.mapError(
      (error) =>
        new EventDecodeError({
          eventId: message.headers[EventHeaders.eventId] ?? `${message.topic}/${message.partition}@${message.offset}`,
          type: message.headers[EventHeaders.eventType] ?? "unknown",
          reason: error.message,
        }),
    ),
  );
