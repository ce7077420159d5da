/**
 * Puts a replay of the whole event store back into stream order. `readAll` returns events
 * in id (UUIDv7) order, which within a stream is only roughly version order: ids minted in
 * the same millisecond sort at random, and appends race. An event is held back until its
 * stream's previous version has been seen, so a rebuild never has to ask the store for a
 * stream's missing versions (a full scan per question on FerretDB). A stream that holds
 * back too much (a version the store will never have: an append undone after a crash) is
 * handed over as "overflow", to be folded with store reads like live events.
 */
import type { EventEnvelope, StreamId } from "../events/EventEnvelope.ts";

export interface ReplayOrder {
  /** Takes the next events read; returns those now in stream order, and a stream's overflow. */
  admit(events: ReadonlyArray<EventEnvelope>): {
    readonly ready: ReadonlyArray<EventEnvelope>;
    readonly overflow: ReadonlyArray<EventEnvelope>;
  };
  /** Per stream, the version up to which every event has been returned as ready. */
  readonly knownThrough: ReadonlyMap<StreamId, number>;
  /** The events still held back (at the end of the replay), by stream and version. */
  drain(): ReadonlyArray<EventEnvelope>;
}

const byVersion = (a: EventEnvelope, b: EventEnvelope) => a.streamVersion - b.streamVersion;

/**
 * @example
 * const order = makeReplayOrder(1_000);
 * const { ready, overflow } = order.admit(page);
 * yield* applyProjectionBatch(projection, ready, { knownThrough: order.knownThrough });
 */
export const makeReplayOrder = (maxHeldPerStream: number): ReplayOrder => {
  const contiguous = new Map<StreamId, number>();
  const held = new Map<StreamId, Map<number, EventEnvelope>>();
  return {
    knownThrough: contiguous,
    admit: (events) => {
      const touched = new Set<StreamId>();
      for (const event of events) {
        if (event.streamVersion <= (contiguous.get(event.streamId) ?? 0)) continue;
        const waiting = held.get(event.streamId) ?? new Map<number, EventEnvelope>();
        held.set(event.streamId, waiting);
        if (!waiting.has(event.streamVersion)) waiting.set(event.streamVersion, event);
        touched.add(event.streamId);
      }
      const ready: Array<EventEnvelope> = [];
      const overflow: Array<EventEnvelope> = [];
      for (const streamId of touched) {
        const waiting = held.get(streamId) ?? new Map<number, EventEnvelope>();
        let version = contiguous.get(streamId) ?? 0;
        for (let next = waiting.get(version + 1); next !== undefined; next = waiting.get(version + 1)) {
          ready.push(next);
          version += 1;
          waiting.delete(version);
        }
        contiguous.set(streamId, version);
        if (waiting.size > maxHeldPerStream) {
          overflow.push(...[...waiting.values()].sort(byVersion));
          waiting.clear();
        }
        if (waiting.size === 0) held.delete(streamId);
      }
      return { ready, overflow };
    },
    drain: () => {
      const rest = [...held.values()].flatMap((waiting) => [...waiting.values()].sort(byVersion));
      held.clear();
      return rest;
    },
  };
};
