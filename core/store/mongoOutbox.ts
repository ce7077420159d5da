/**
 * The outbox on MongoDB: one entry per insert round, listing the round's event ids, instead
 * of one document per event. On FerretDB every write statement holds its single write
 * lock, and a delete by `_id $in` decodes the whole collection and tests each id: with a
 * document per event, the api's outbox inserts and deletes took 5.2 s of store time in
 * 10 s of batch-100 ingest, against 2.9 s for the events themselves.
 *
 * Which entry holds an event is remembered in this process (for the entries it wrote and
 * the ones its sweeper read), so marking events published deletes entries by their own
 * ids. An entry of which only some events were marked keeps the rest (one update by
 * `_id`). Another process that marks an event of an entry it never saw leaves the entry
 * alone: the sweeper publishes that event again later, which consumers recognise (see
 * ProcessedEvents), so at worst a copy travels twice.
 */
import { newEventId } from "../events/EventId.ts";
import { idFilter } from "./mongoBulk.ts";
import type { EventStoreCollections } from "./mongoCollections.ts";

// Entries this process remembers at most; the oldest are forgotten first (a few MB).
const rememberedEntries = 100_000;

export interface MongoOutbox {
  /** Writes an entry for these events (before they are inserted); returns its id. */
  readonly record: (eventIds: ReadonlyArray<string>, recordedAt: Date) => Promise<string>;
  /** These events no longer need publishing (published, stored before, or never stored). */
  readonly settle: (eventIds: ReadonlyArray<string>) => Promise<void>;
  /** Takes these events out of one entry only: ones this entry's round found stored already. */
  readonly settleInEntry: (entryId: string, eventIds: ReadonlyArray<string>) => Promise<void>;
  /** Up to `limit` event ids of the oldest entries recorded before `recordedBefore`, in id order. */
  readonly stale: (recordedBefore: Date, limit: number) => Promise<ReadonlyArray<string>>;
}

/**
 * @example
 * const outbox = makeMongoOutbox(collections);
 * const entryId = await outbox.record(ids, new Date());
 */
export const makeMongoOutbox = ({ outbox }: EventStoreCollections): MongoOutbox => {
  const entryOfEvent = new Map<string, string>();
  const pendingOfEntry = new Map<string, Set<string>>();

  const remember = (entryId: string, eventIds: ReadonlyArray<string>) => {
    if (pendingOfEntry.has(entryId)) return;
    pendingOfEntry.set(entryId, new Set(eventIds));
    for (const id of eventIds) if (!entryOfEvent.has(id)) entryOfEvent.set(id, entryId);
    if (pendingOfEntry.size > rememberedEntries) {
      const [oldest, ids] = pendingOfEntry.entries().next().value ?? [];
      if (oldest === undefined) return;
      pendingOfEntry.delete(oldest);
      for (const id of ids ?? []) if (entryOfEvent.get(id) === oldest) entryOfEvent.delete(id);
    }
  };

  /** Removes ids from their entries in memory; returns what the store must change. */
  const take = (pairs: ReadonlyArray<readonly [string, string]>) => {
    const touched = new Set<string>();
    for (const [entryId, id] of pairs) {
      pendingOfEntry.get(entryId)?.delete(id);
      if (entryOfEvent.get(id) === entryId) entryOfEvent.delete(id);
      touched.add(entryId);
    }
    const emptied: Array<string> = [];
    const shrunk: Array<readonly [string, ReadonlyArray<string>]> = [];
    for (const entryId of touched) {
      const pending = pendingOfEntry.get(entryId);
      if (pending === undefined) continue;
      if (pending.size === 0) {
        pendingOfEntry.delete(entryId);
        emptied.push(entryId);
      } else shrunk.push([entryId, [...pending]]);
    }
    return { emptied, shrunk };
  };

  const write = async (
    deleted: ReadonlyArray<string>,
    shrunk: ReadonlyArray<readonly [string, ReadonlyArray<string>]>,
  ) => {
    if (deleted.length > 0) await outbox.deleteMany(idFilter(deleted));
    // Rare (a publish batch that ended inside an entry): one update by `_id` each, which FerretDB pushes down.
    for (const [entryId, remaining] of shrunk)
      await outbox.updateOne({ _id: entryId }, { $set: { eventIds: remaining } });
  };

  return {
    record: async (eventIds, recordedAt) => {
      const entryId = newEventId();
      await outbox.insertOne({ _id: entryId, recordedAt, eventIds: [...eventIds] });
      remember(entryId, eventIds);
      return entryId;
    },
    settle: async (eventIds) => {
      const pairs: Array<readonly [string, string]> = [];
      // Ids of no remembered entry: entries of one event, written before entries held several.
      const single: Array<string> = [];
      for (const id of eventIds) {
        const entryId = entryOfEvent.get(id);
        if (entryId === undefined) single.push(id);
        else pairs.push([entryId, id]);
      }
      const { emptied, shrunk } = take(pairs);
      await write([...emptied, ...single], shrunk);
    },
    settleInEntry: async (entryId, eventIds) => {
      const { emptied, shrunk } = take(eventIds.map((id) => [entryId, id] as const));
      await write(emptied, shrunk);
    },
    stale: async (recordedBefore, limit) => {
      const entries = await outbox
        .find({ recordedAt: { $lt: recordedBefore } })
        .sort({ _id: 1 })
        .limit(limit)
        .toArray();
      const ids: Array<string> = [];
      for (const entry of entries) {
        if (entry.eventIds === undefined) ids.push(entry._id);
        else {
          remember(entry._id, entry.eventIds);
          // What this process already marked stays out, though another process may still list it.
          ids.push(...entry.eventIds.filter((id) => pendingOfEntry.get(entry._id)?.has(id) ?? true));
        }
      }
      // Oldest first: event ids are UUIDv7, ordered by when they were made.
      return ids.sort().slice(0, limit);
    },
  };
};
