/**
 * What one event store instance remembers of stream heads: the highest version it stored
 * per stream, for the streams it appended to most recently. Events of successful appends
 * are never deleted, so each entry is a version that exists: a floor under the head, not
 * the head itself (other processes may append to the same stream). Appending right above
 * it needs no read, and the unique (streamId, streamVersion) index rejects it if the
 * floor has fallen behind.
 */

export interface KnownStreamHeads {
  /** The highest version this store appended to the stream, if it still remembers one. */
  readonly get: (streamId: string) => number | undefined;
  /** Records a version this store appended (a lower one than remembered changes nothing). */
  readonly raise: (streamId: string, version: number) => void;
}

/**
 * At most `capacity` streams, the least recently appended forgotten first (a Map iterates
 * in insertion order, so re-inserting on every append keeps it in that order).
 *
 * @example
 * const known = makeKnownStreamHeads(100_000);
 * known.raise(streamId, 7);
 * known.get(streamId); // 7
 */
export const makeKnownStreamHeads = (capacity: number): KnownStreamHeads => {
  const heads = new Map<string, number>();
  return {
    get: (streamId) => heads.get(streamId),
    raise: (streamId, version) => {
      const head = Math.max(version, heads.get(streamId) ?? 0);
      heads.delete(streamId);
      heads.set(streamId, head);
      if (heads.size > capacity) {
        const oldest = heads.keys().next();
        if (oldest.done !== true) heads.delete(oldest.value);
      }
    },
  };
};
