/**
 * Finding a stream's head (its highest version) on MongoDB without sorting the stream:
 * FerretDB sorts in memory, so a "sort by version descending, limit 1" reads the whole
 * stream. Instead `streams` keeps a hint per stream, raised with `$max` after appends, and
 * the head is the highest version at or above the hint. A stale hint only costs a few
 * extra index entries; a missing one a scan of that stream.
 *
 * On FerretDB 1.x (SQLite) every query scans its collection (a lone `_id` equality inside
 * SQLite, anything else decoding every document), so readStreamHeads costs a scan of `events`: appends use it only after losing a
 * race. They start from what the store appended itself, or for a stream it has not
 * appended to from readStreamHints, which reads only `streams` (one small document per
 * stream).
 */

import { Effect, Queue } from "effect";
import type { EventStoreUnavailable } from "./Errors.ts";
import { bulkWriteInChunks } from "./mongoBulk.ts";
import { type EventStoreCollections, tryMongo } from "./mongoCollections.ts";

interface VersionRow {
  readonly streamId: string;
  readonly streamVersion: number;
}

/** Highest version at or above `from` per stream, and whether the version `from` itself exists. */
const scanFrom = Effect.fnUntraced(function* (
  collections: EventStoreCollections,
  fromByStream: ReadonlyMap<string, number>,
) {
  const rows = yield* tryMongo("readStreamHeads", () =>
    collections.events
      .find({
        $or: [...fromByStream].map(([streamId, from]) => ({ streamId, streamVersion: { $gte: from } })),
      })
      .project<VersionRow>({ _id: 0, streamId: 1, streamVersion: 1 })
      .toArray(),
  );
  const heads = new Map<string, number>();
  const confirmed = new Set<string>();
  for (const { streamId, streamVersion } of rows) {
    heads.set(streamId, Math.max(heads.get(streamId) ?? 0, streamVersion));
    if (streamVersion === fromByStream.get(streamId)) confirmed.add(streamId);
  }
  return { heads, confirmed };
});

/**
 * The stored hint of each stream that has one: a version a successful append stored (so
 * it exists, unless someone edited `streams`), possibly behind the head. One query, over
 * `streams` only.
 *
 * @example
 * const hints = yield* readStreamHints(collections, [streamId]); // Map { streamId => 5 }
 */
export const readStreamHints = Effect.fnUntraced(function* (
  collections: EventStoreCollections,
  streamIds: ReadonlyArray<string>,
): Effect.fn.Return<ReadonlyMap<string, number>, EventStoreUnavailable> {
  const unique = [...new Set(streamIds)];
  if (unique.length === 0) return new Map();
  const hints = yield* tryMongo("readStreamHints", () => collections.streams.find({ _id: { $in: unique } }).toArray());
  return new Map(hints.map((hint) => [hint._id, hint.version]));
});

/**
 * The head of each stream (0 for a stream with no events): two queries however many
 * streams, plus one more if a hint names a version that does not exist.
 *
 * @example
 * const heads = yield* readStreamHeads(collections, [streamId]); // Map { streamId => 7 }
 */
export const readStreamHeads = Effect.fnUntraced(function* (
  collections: EventStoreCollections,
  streamIds: ReadonlyArray<string>,
): Effect.fn.Return<ReadonlyMap<string, number>, EventStoreUnavailable> {
  const unique = [...new Set(streamIds)];
  if (unique.length === 0) return new Map();
  const hintByStream = yield* readStreamHints(collections, unique);
  const fromByStream = new Map(unique.map((streamId) => [streamId, Math.max(1, hintByStream.get(streamId) ?? 1)]));
  const { heads, confirmed } = yield* scanFrom(collections, fromByStream);
  // A hint above every stored version should not happen (hints are raised only after an
  // append succeeded), but hints are not trusted: rescan such streams from the start.
  const untrusted = unique.filter((streamId) => (hintByStream.get(streamId) ?? 0) > 1 && !confirmed.has(streamId));
  if (untrusted.length > 0) {
    const rescanned = yield* scanFrom(collections, new Map(untrusted.map((streamId) => [streamId, 1])));
    for (const streamId of untrusted) heads.set(streamId, rescanned.heads.get(streamId) ?? 0);
  }
  return new Map(unique.map((streamId) => [streamId, heads.get(streamId) ?? 0]));
});

/**
 * Raises the stored hints to these versions (only through backgroundHintRaiser). Best
 * effort: a lost update (FerretDB's updates are not atomic under concurrency) leaves a
 * lower hint, which is still correct.
 */
const raiseStreamHints = (
  collections: EventStoreCollections,
  headByStream: ReadonlyMap<string, number>,
): Effect.Effect<void> =>
  headByStream.size === 0
    ? Effect.void
    : tryMongo("raiseStreamHints", () =>
        bulkWriteInChunks(
          collections.streams,
          [...headByStream].map(([streamId, version]) => ({
            updateOne: { filter: { _id: streamId }, update: { $max: { version } }, upsert: true },
          })),
        ),
      ).pipe(Effect.ignore({ log: "Debug", message: "stream head hints not raised" }));

/**
 * Raises hints in the background, off the append's path: one bulk write at a time, for
 * every stream raised meanwhile (each at its highest version). Hints are best effort, so
 * one lost at shutdown only costs a lost race later. On FerretDB each raise is an update
 * that scans `streams` under the write lock; on the api's group commits it cost about
 * 28 ms of a 130 ms round at 100 readings per request.
 *
 * @example
 * const raiseLater = yield* backgroundHintRaiser(collections);
 * yield* raiseLater(new Map([[streamId, 120]]));
 */
export const backgroundHintRaiser = Effect.fnUntraced(function* (collections: EventStoreCollections) {
  const pending = yield* Queue.unbounded<readonly [string, number]>();
  yield* Queue.takeBetween(pending, 1, 10_000).pipe(
    Effect.flatMap((raised) => {
      const highest = new Map<string, number>();
      for (const [streamId, version] of raised) highest.set(streamId, Math.max(highest.get(streamId) ?? 0, version));
      return raiseStreamHints(collections, highest);
    }),
    Effect.forever,
    Effect.forkScoped,
  );
  return (headByStream: ReadonlyMap<string, number>): Effect.Effect<void> =>
    headByStream.size === 0 ? Effect.void : Effect.asVoid(Queue.offerAll(pending, headByStream));
});
