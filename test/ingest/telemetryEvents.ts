/**
 * TelemetryRecorded events as projections receive them (decoded), and as the store holds
 * them (envelopes), for given/when/then tests of the ingest read models.
 */
import type { EventEnvelope, EventId, EventOf, StreamId, TenantId } from "../../core/index.ts";
import { TelemetryRecorded } from "../../plugins/ingest/TelemetryRecorded.ts";

export type Recorded = EventOf<typeof TelemetryRecorded>;

let sequence = 0;

/** A stable, sortable fake UUIDv7 per call. */
const nextId = (): EventId => `01900000-0000-7000-8000-${String(++sequence).padStart(12, "0")}` as EventId;

export interface RecordedOptions {
  readonly tenantId?: string;
  readonly deviceId?: string;
  readonly ts: string;
  readonly values: Record<string, number | boolean | string>;
  readonly recordedAt?: string;
  readonly id?: string;
  readonly streamVersion?: number;
}

/**
 * @example
 * const event = recorded({ ts: "2025-03-01T10:00:00.000Z", values: { temp: 21 } });
 */
export const recorded = (options: RecordedOptions): Recorded => {
  const tenantId = options.tenantId ?? "acme";
  const deviceId = options.deviceId ?? "pump-1";
  return {
    id: (options.id ?? nextId()) as EventId,
    type: "TelemetryRecorded",
    schemaVersion: 2,
    streamId: `telemetry-${tenantId}-${deviceId}` as StreamId,
    streamVersion: options.streamVersion ?? sequence,
    occurredAt: options.ts,
    recordedAt: options.recordedAt ?? options.ts,
    tenantId: tenantId as TenantId,
    causationId: null,
    correlationId: "test",
    traceparent: null,
    payload: { deviceId, ts: options.ts, values: options.values },
  };
};

/** The stored envelope of a recorded event (payload encoded, as the store holds it). */
export const storedEnvelope = (event: Recorded): EventEnvelope => {
  const pending = TelemetryRecorded.make(event.payload, { tenantId: event.tenantId, id: event.id });
  return { ...event, payload: pending.payload };
};

/** Every ordering of a few items (for order-independence checks). */
export const permutations = <A>(items: ReadonlyArray<A>): Array<Array<A>> =>
  items.length <= 1
    ? [[...items]]
    : items.flatMap((item, i) =>
        permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
      );
