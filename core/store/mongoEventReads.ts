/**
 * Paged reads from the MongoDB `events` collection. Every query is bounded by a page, and
 * none sorts more than a page: FerretDB sorts in memory, so "sort the whole stream, take
 * 500" would read the whole stream for every page.
 */
import { Effect, Option, Stream } from "effect";
import type { EventEnvelope, StreamId } from "../events/EventEnvelope.ts";
import type { EventId } from "../events/EventId.ts";
import type { EventStoreUnavailable } from "./Errors.ts";
import type { ReadAllOptions } from "./EventStore.ts";
import { type EventStoreCollections, tryMongo } from "./mongoCollections.ts";
import { type EventDocument, fromEventDocument } from "./mongoEventDocument.ts";

const streamWindow = 500;
const defaultReadAllPageSize = 500;

/**
 * Where the next stream page starts, and how to find it: versions are contiguous, so a
 * version range ("window") is the normal page. After a short window the read ends with a
 * "from here on" query, which is empty (and cheap) at the end of the stream but still
 * finds events past a gap that a crashed writer's compensation may have left.
 */
interface StreamCursor {
  readonly from: number;
  readonly mode: "window" | "rest";
}

const byStreamVersion = (a: EventDocument, b: EventDocument) => a.streamVersion - b.streamVersion;

/**
 * The stream's events from `fromVersion` in version order, a page at a time.
 *
 * @example
 * const events = yield* Stream.runCollect(readStreamPages(collections, streamId, 1));
 */
export const readStreamPages = (
  collections: EventStoreCollections,
  streamId: StreamId,
  fromVersion: number,
): Stream.Stream<EventEnvelope, EventStoreUnavailable> => {
  const start: StreamCursor = { from: Math.max(1, Math.ceil(fromVersion)), mode: "window" };
  return Stream.paginate(start, ({ from, mode }: StreamCursor) =>
    tryMongo("readStream", () =>
      mode === "window"
        ? collections.events.find({ streamId, streamVersion: { $gte: from, $lt: from + streamWindow } }).toArray()
        : collections.events
            .find({ streamId, streamVersion: { $gte: from } })
            .sort({ streamVersion: 1 })
            .limit(streamWindow)
            .toArray(),
    ).pipe(
      Effect.map((documents) => {
        const page = documents.sort(byStreamVersion).map(fromEventDocument);
        const last = page.at(-1)?.streamVersion;
        const next: Option.Option<StreamCursor> =
          mode === "window"
            ? Option.some({ from: from + streamWindow, mode: page.length === streamWindow ? "window" : "rest" })
            : last === undefined
              ? Option.none()
              : Option.some({ from: last + 1, mode: "window" });
        return [page, next] as const;
      }),
    ),
  );
};

/**
 * Every event in _id (recorded) order, paged by `_id > last id of the previous page`.
 *
 * @example
 * yield* readAllPages(collections, { types: ["AlertRaised"] }).pipe(Stream.runForEach(project));
 */
export const readAllPages = (
  collections: EventStoreCollections,
  options: ReadAllOptions,
): Stream.Stream<EventEnvelope, EventStoreUnavailable> => {
  const pageSize = Math.max(1, Math.floor(options.pageSize ?? defaultReadAllPageSize));
  const types = options.types === undefined ? {} : { type: { $in: [...options.types] } };
  return Stream.paginate(options.after, (after: EventId | undefined) =>
    tryMongo("readAll", () =>
      collections.events
        .find({ ...types, ...(after === undefined ? {} : { _id: { $gt: after } }) })
        .sort({ _id: 1 })
        .limit(pageSize)
        .toArray(),
    ).pipe(
      Effect.map((documents) => {
        const page = documents.map(fromEventDocument);
        const last = page.at(-1)?.id;
        return [page, page.length === pageSize && last !== undefined ? Option.some(last) : Option.none()] as const;
      }),
    ),
  );
};
