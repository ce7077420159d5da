/**
 * The envelope every fact travels in: stored as one MongoDB document, published as one
 * Kafka message (payload as JSON, the rest mirrored in headers), decoded by consumers.
 */
import { Schema } from "effect";
import { EventId } from "./EventId.ts";

/** A stream is the history of one aggregate, for example one device. */
export const StreamId = Schema.NonEmptyString.check(Schema.isMaxLength(200)).pipe(Schema.brand("StreamId"));
export type StreamId = typeof StreamId.Type;

/** Tenants never see each other's data. */
export const TenantId = Schema.NonEmptyString.check(Schema.isMaxLength(100)).pipe(Schema.brand("TenantId"));
export type TenantId = typeof TenantId.Type;

const PositiveInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1));

/**
 * A stored event. `occurredAt` is device (or business) time, `recordedAt` is when the
 * store accepted it; both ISO 8601 UTC strings. `causationId` names the event that made
 * a handler append this one; `correlationId` is shared by everything one request caused.
 *
 * @example
 * const envelope = Schema.decodeUnknownSync(EventEnvelope)(JSON.parse(kafkaMessageValue));
 */
export const EventEnvelope = Schema.Struct({
  id: EventId,
  type: Schema.NonEmptyString,
  schemaVersion: PositiveInt,
  streamId: StreamId,
  streamVersion: PositiveInt,
  occurredAt: Schema.String,
  recordedAt: Schema.String,
  tenantId: TenantId,
  causationId: Schema.NullOr(EventId),
  correlationId: Schema.String,
  traceparent: Schema.NullOr(Schema.String),
  payload: Schema.Unknown,
});
export type EventEnvelope = typeof EventEnvelope.Type;

/**
 * An event on its way into the store: the store gives it its stream, version and
 * recordedAt. Build one with an event definition's `make`.
 */
export interface PendingEvent {
  readonly id: EventId;
  readonly type: string;
  readonly schemaVersion: number;
  readonly occurredAt: string;
  readonly tenantId: TenantId;
  readonly causationId: EventId | null;
  readonly correlationId: string;
  readonly traceparent: string | null;
  readonly payload: unknown;
}
