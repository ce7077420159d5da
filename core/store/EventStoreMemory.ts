/**
 * The event store in memory, for unit tests and local experiments. It behaves like
 * `EventStoreMongo` (both pass `eventStoreContract`): same versions, same idempotency,
 * same outbox view. Every operation runs synchronously, so appends never race here.
 * recordedAt comes from Effect's `Clock`, so tests can drive it with `TestClock`.
 */
import { Clock, Effect, Layer, Option, Result, Stream } from "effect";
import type { EventEnvelope, PendingEvent, StreamId } from "../events/EventEnvelope.ts";
import type { EventId } from "../events/EventId.ts";
import { ConcurrencyError } from "./Errors.ts";
import { EventStore, type ExpectedVersion, type StreamAppend, type StreamAppendOutcome } from "./EventStore.ts";
import { checkAppend, distinctById, inCallerOrder, isoMillis, stampEvent } from "./stampEvents.ts";

interface StoredEvent {
  readonly envelope: EventEnvelope;
  published: boolean;
}

const streamPageSize = 500;
const defaultReadAllPageSize = 500;

const makeMemoryEventStore = Effect.sync(() => {
  const byId = new Map<EventId, StoredEvent>();
  const streams = new Map<StreamId, Array<StoredEvent>>();
  // Sorted by id (UUIDv7, so recorded order), like MongoDB's _id order.
  const inIdOrder: Array<StoredEvent> = [];

  const firstIndexAfter = (id: EventId): number => {
    let low = 0;
    let high = inIdOrder.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((inIdOrder[middle]?.envelope.id ?? "") <= id) low = middle + 1;
      else high = middle;
    }
    return low;
  };

  const store = (envelope: EventEnvelope): void => {
    const stored: StoredEvent = { envelope, published: false };
    byId.set(envelope.id, stored);
    const stream = streams.get(envelope.streamId) ?? [];
    stream.push(stored);
    streams.set(envelope.streamId, stream);
    inIdOrder.splice(firstIndexAfter(envelope.id), 0, stored);
  };

  const appendNow = (
    streamId: StreamId,
    expectedVersion: ExpectedVersion,
    events: ReadonlyArray<PendingEvent>,
    recordedAt: string,
  ): Result.Result<ReadonlyArray<EventEnvelope>, ConcurrencyError> => {
    const distinct = distinctById(events);
    const storedById = new Map<EventId, EventEnvelope>();
    for (const event of distinct) {
      const stored = byId.get(event.id);
      if (stored !== undefined) storedById.set(event.id, stored.envelope);
    }
    if (storedById.size === distinct.length) return Result.succeed(inCallerOrder(events, storedById));

    const head = streams.get(streamId)?.length ?? 0;
    const base = expectedVersion === "any" ? head : expectedVersion;
    // A retried call that partly landed finds its stored events where it would have put
    // them: the new ones keep their positions. Otherwise the new events follow `base`.
    const storedInPlace = distinct.every((event, index) => {
      const stored = storedById.get(event.id);
      return stored === undefined || (stored.streamId === streamId && stored.streamVersion === base + 1 + index);
    });
    const planned = storedInPlace
      ? distinct
          .map((event, index) => ({ event, version: base + 1 + index }))
          .filter((p) => !storedById.has(p.event.id))
      : distinct
          .filter((event) => !storedById.has(event.id))
          .map((event, index) => ({ event, version: base + 1 + index }));
    if (base > head || planned.some(({ version }) => version <= head)) {
      return Result.fail(new ConcurrencyError({ streamId, expectedVersion, actualVersion: head }));
    }
    for (const { event, version } of planned) {
      const envelope = stampEvent(event, streamId, version, recordedAt);
      store(envelope);
      storedById.set(envelope.id, envelope);
    }
    return Result.succeed(inCallerOrder(events, storedById));
  };

  const recordedNow = Effect.map(Clock.currentTimeMillis, isoMillis);

  const appendToStream = Effect.fn("EventStore.appendToStream")(function* (
    streamId: StreamId,
    expectedVersion: ExpectedVersion,
    events: ReadonlyArray<PendingEvent>,
  ) {
    yield* checkAppend(streamId, expectedVersion, events);
    const recordedAt = yield* recordedNow;
    return yield* Effect.fromResult(appendNow(streamId, expectedVersion, events, recordedAt));
  });

  const appendBatch = Effect.fn("EventStore.appendBatch")(function* (appends: ReadonlyArray<StreamAppend>) {
    for (const { streamId, expectedVersion, events } of appends) yield* checkAppend(streamId, expectedVersion, events);
    const recordedAt = yield* recordedNow;
    return appends.map(({ streamId, expectedVersion, events }): StreamAppendOutcome => {
      const result = appendNow(streamId, expectedVersion, events, recordedAt);
      return Result.isSuccess(result)
        ? { _tag: "Appended", streamId, events: result.success }
        : { _tag: "Conflict", error: result.failure };
    });
  });

  const readStream = (streamId: StreamId, fromVersion = 1) =>
    Stream.paginate(Math.max(1, Math.ceil(fromVersion)), (version: number) =>
      Effect.sync(() => {
        const stream = streams.get(streamId) ?? [];
        const page = stream.slice(version - 1, version - 1 + streamPageSize).map((stored) => stored.envelope);
        const next =
          version - 1 + streamPageSize < stream.length ? Option.some(version + streamPageSize) : Option.none();
        return [page, next] as const;
      }),
    );

  const readAll = (options: Parameters<EventStore["Service"]["readAll"]>[0] = {}) => {
    const pageSize = Math.max(1, Math.floor(options.pageSize ?? defaultReadAllPageSize));
    const types = options.types === undefined ? undefined : new Set(options.types);
    return Stream.paginate(options.after, (after: EventId | undefined) =>
      Effect.sync(() => {
        let index = after === undefined ? 0 : firstIndexAfter(after);
        const page: Array<EventEnvelope> = [];
        for (; index < inIdOrder.length && page.length < pageSize; index++) {
          const envelope = inIdOrder[index]?.envelope;
          if (envelope !== undefined && (types === undefined || types.has(envelope.type))) page.push(envelope);
        }
        const lastScanned = inIdOrder[index - 1]?.envelope.id;
        const next = index < inIdOrder.length && lastScanned !== undefined ? Option.some(lastScanned) : Option.none();
        return [page, next] as const;
      }),
    );
  };

  return EventStore.of({
    appendToStream,
    appendBatch,
    readStream,
    readAll,
    streamVersion: (streamId) => Effect.sync(() => streams.get(streamId)?.length ?? 0),
    getEvent: (id) => Effect.sync(() => Option.fromNullishOr(byId.get(id)?.envelope)),
    findCausedBy: (id) =>
      Effect.sync(() => inIdOrder.filter((stored) => stored.envelope.causationId === id).map((s) => s.envelope)),
    unpublished: ({ recordedBefore, limit }) =>
      Effect.sync(() => {
        const before = recordedBefore.getTime();
        const due: Array<EventEnvelope> = [];
        for (const stored of inIdOrder) {
          if (due.length >= limit) break;
          if (!stored.published && Date.parse(stored.envelope.recordedAt) < before) due.push(stored.envelope);
        }
        return due;
      }),
    markPublished: (ids) =>
      Effect.sync(() => {
        for (const id of ids) {
          const stored = byId.get(id);
          if (stored !== undefined) stored.published = true;
        }
      }),
  });
});

/**
 * A fresh, empty in-memory event store each time the layer is built.
 *
 * @example
 * const program = Effect.gen(function* () {
 *   const store = yield* EventStore;
 *   yield* store.appendToStream(streamId, 0, [DeviceRegistered.make(payload, { tenantId })]);
 * }).pipe(Effect.provide(layerMemory));
 */
export const layerMemory: Layer.Layer<EventStore> = Layer.effect(EventStore, makeMemoryEventStore);
