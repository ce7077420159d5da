/**
 * How the MongoDB event store lays out its documents, and the mapping between an event
 * document and the envelope callers see. Timestamps are BSON dates in the database (the
 * outbox sweep range-queries recordedAt) and ISO 8601 strings in envelopes.
 */
import type { EventEnvelope, StreamId, TenantId } from "../events/EventEnvelope.ts";
import type { EventId } from "../events/EventId.ts";

/** One stored event: `_id` is the event id. Whether it was published is the outbox's business. */
export interface EventDocument {
  readonly _id: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly occurredAt: Date;
  readonly recordedAt: Date;
  readonly tenantId: string;
  readonly causationId: string | null;
  readonly correlationId: string;
  readonly traceparent: string | null;
  readonly payload: unknown;
}

/**
 * A hint of a stream's head, raised after each append with `$max`. Not trusted: the true
 * head is the hint plus whatever `events` holds above it.
 */
/**
 * Events not yet acknowledged by Kafka, one entry per insert round (see mongoOutbox.ts):
 * written before the events themselves and deleted once Kafka acknowledged them all, so
 * the sweeper reads a small collection instead of scanning `events` (FerretDB decodes every
 * document for any filter but a lone `_id` equality, and an update of a flag by `_id $in`
 * over a large `events` collection took a minute there). Entries written before entries held several
 * events have no `eventIds`: their `_id` is their one event's id.
 */
export interface OutboxDocument {
  readonly _id: string;
  readonly recordedAt: Date;
  readonly eventIds?: ReadonlyArray<string>;
}

export interface StreamHeadDocument {
  readonly _id: string;
  readonly version: number;
}

/** The schema version applied to a group of collections, by `storeMigrations`. */
export interface MigrationDocument {
  readonly _id: string;
  readonly version: number;
  readonly appliedAt: Date;
}

/**
 * The document for a freshly appended (so not yet published) event.
 *
 * @example
 * await events.insertMany(envelopes.map(toEventDocument), { ordered: false });
 */
export const toEventDocument = (envelope: EventEnvelope): EventDocument => ({
  _id: envelope.id,
  type: envelope.type,
  schemaVersion: envelope.schemaVersion,
  streamId: envelope.streamId,
  streamVersion: envelope.streamVersion,
  occurredAt: new Date(envelope.occurredAt),
  recordedAt: new Date(envelope.recordedAt),
  tenantId: envelope.tenantId,
  causationId: envelope.causationId,
  correlationId: envelope.correlationId,
  traceparent: envelope.traceparent,
  payload: envelope.payload,
});

/**
 * The envelope a stored document holds (the store wrote it, so it is trusted as is).
 *
 * @example
 * const envelope = fromEventDocument(await events.findOne({ _id: id }));
 */
export const fromEventDocument = (document: EventDocument): EventEnvelope => ({
  id: document._id as EventId,
  type: document.type,
  schemaVersion: document.schemaVersion,
  streamId: document.streamId as StreamId,
  streamVersion: document.streamVersion,
  occurredAt: document.occurredAt.toISOString(),
  recordedAt: document.recordedAt.toISOString(),
  tenantId: document.tenantId as TenantId,
  causationId: document.causationId as EventId | null,
  correlationId: document.correlationId,
  traceparent: document.traceparent,
  payload: document.payload,
});
