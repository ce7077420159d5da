/**
 * Readings as the evaluator sees them, from TelemetryRecorded (ingest) or
 * TelemetryEnriched (external-source): the cause event, its stream position, device time
 * and values. Rules that read enrichment are evaluated on TelemetryEnriched only, the
 * others on TelemetryRecorded only, so each reading counts once per rule. Each kind has
 * its own stream per device (`telemetry-…`, `enriched-…`), so positions and gaps are per
 * kind; events of another type met while filling a gap are skipped.
 */
import { Effect, Stream } from "effect";
import { type EventEnvelope, EventStore, type StreamId, type TypedEvent } from "../../core/index.ts";
import type { EngineInput } from "./engineApi.ts";

export type ReadingValue = number | string | boolean;

/** One reading of one device, with where it sits in its stream. */
export interface ReadingInput {
  readonly cause: EventEnvelope;
  readonly source: "recorded" | "enriched";
  readonly deviceId: string;
  /** Device time, epoch ms. */
  readonly ts: number;
  readonly values: Readonly<Record<string, ReadingValue>>;
  readonly enrichment: Readonly<Record<string, ReadingValue>>;
}

interface ReadingPayload {
  readonly deviceId: string;
  readonly ts: string;
  readonly values: Readonly<Record<string, ReadingValue>>;
  readonly enrichment?: Readonly<Record<string, ReadingValue>> | undefined;
}

/**
 * @example
 * readingOf(event, "recorded") // event: the decoded TelemetryRecorded
 */
export const readingOf = (event: TypedEvent<string, ReadingPayload>, source: ReadingInput["source"]): ReadingInput => {
  const { payload, ...envelope } = event;
  return {
    cause: { ...envelope, payload } as EventEnvelope,
    source,
    deviceId: payload.deviceId,
    ts: Date.parse(payload.ts),
    values: payload.values,
    enrichment: payload.enrichment ?? {},
  };
};

/**
 * @example
 * evaluate(rule, state, engineInputOf(reading))
 */
export const engineInputOf = (reading: ReadingInput): EngineInput => ({
  kind: "reading",
  eventId: reading.cause.id,
  deviceId: reading.deviceId,
  ts: reading.ts,
  values: reading.values,
  enrichment: reading.enrichment,
});

/** Decodes a stored envelope of the subscribed type into a reading. */
export type ReadingDecoder = (envelope: EventEnvelope) => Effect.Effect<ReadingInput | undefined>;

/**
 * The readings of a stream between two versions (inclusive) that the store holds: what a
 * late or re-published delivery left out. Versions the store lacks are holes, skipped.
 *
 * @example
 * const missed = yield* readingsBetween(streamId, position + 1, event.streamVersion - 1, decode);
 */
export const readingsBetween = Effect.fn("alertRules.readingsBetween")(function* (
  streamId: StreamId,
  fromVersion: number,
  toVersion: number,
  decode: ReadingDecoder,
) {
  if (toVersion < fromVersion) return [] as ReadonlyArray<ReadingInput>;
  const store = yield* EventStore;
  const envelopes = yield* Stream.runCollect(
    store.readStream(streamId, fromVersion).pipe(Stream.takeWhile((envelope) => envelope.streamVersion <= toVersion)),
  );
  const readings = yield* Effect.forEach(envelopes, decode);
  return readings.filter((reading): reading is ReadingInput => reading !== undefined);
});
