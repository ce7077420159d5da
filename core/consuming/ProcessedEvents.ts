/**
 * Which events a consumer group has already handled: the runner skips them on
 * redelivery, so a handler's side effect happens once per group.
 *
 * Two records serve that. Each partition's settled offset (the highest offset of a batch
 * the group finished) says which messages may be repeats at all: a message above it was
 * never handled by the group, so it costs no lookup. Event-id marks then answer for the
 * few that may be: messages at or below it (Kafka redelivering after a rebalance or a
 * crash), copies the publisher's sweeper sent again, and dead-letter replays.
 */
import { Context, Effect, Layer } from "effect";
import type { EventStoreUnavailable } from "../store/Errors.ts";

export interface PartitionRef {
  readonly topic: string;
  readonly partition: number;
}

/** A batch's highest offset in one partition (offsets stay far below 2^53 in practice). */
export interface PartitionOffset extends PartitionRef {
  readonly offset: number;
}

/** How `settledThrough` names a partition in its answer. */
export const partitionName = ({ topic, partition }: PartitionRef): string => `${topic}|${partition}`;

export class ProcessedEvents extends Context.Service<
  ProcessedEvents,
  {
    /**
     * The highest offset `group` settled per partition; a partition it never settled a
     * batch of is absent (anything there may be a repeat).
     */
    settledThrough(
      group: string,
      partitions: ReadonlyArray<PartitionRef>,
    ): Effect.Effect<ReadonlyMap<string, number>, EventStoreUnavailable>;
    /** The ids among `eventIds` that `group` has not handled yet. */
    unprocessed(
      group: string,
      eventIds: ReadonlyArray<string>,
    ): Effect.Effect<ReadonlySet<string>, EventStoreUnavailable>;
    /**
     * Records a finished batch: raises each partition's settled offset (never lowers it),
     * then marks the handled ids. In that order, so a crash between the two leaves the
     * batch to id lookups, which find it unmarked and handle it again, as before marks.
     */
    markProcessed(
      group: string,
      eventIds: ReadonlyArray<string>,
      settled: ReadonlyArray<PartitionOffset>,
    ): Effect.Effect<void, EventStoreUnavailable>;
    /**
     * Forgets id marks made before `before` (every group's); returns how many. Redeliveries
     * come minutes after the first delivery, so marks only need to outlive that.
     */
    prune(before: Date): Effect.Effect<number, EventStoreUnavailable>;
  }
>()("anansky/ProcessedEvents") {
  /** For unit tests: forgets everything when the layer closes. */
  static readonly layerMemory = Layer.sync(ProcessedEvents, () => {
    const markedAt = new Map<string, number>();
    const settledOffsets = new Map<string, number>();
    return ProcessedEvents.of({
      settledThrough: (group, partitions) =>
        Effect.sync(() => {
          const found = new Map<string, number>();
          for (const partition of partitions) {
            const offset = settledOffsets.get(`${group}|${partitionName(partition)}`);
            if (offset !== undefined) found.set(partitionName(partition), offset);
          }
          return found;
        }),
      unprocessed: (group, ids) => Effect.sync(() => new Set(ids.filter((id) => !markedAt.has(`${group}|${id}`)))),
      markProcessed: (group, ids, settled) =>
        Effect.sync(() => {
          for (const position of settled) {
            const key = `${group}|${partitionName(position)}`;
            settledOffsets.set(key, Math.max(settledOffsets.get(key) ?? -1, position.offset));
          }
          const now = Date.now();
          for (const id of ids) if (!markedAt.has(`${group}|${id}`)) markedAt.set(`${group}|${id}`, now);
        }),
      prune: (before) =>
        Effect.sync(() => {
          let pruned = 0;
          for (const [key, at] of markedAt) {
            if (at < before.getTime()) {
              markedAt.delete(key);
              pruned++;
            }
          }
          return pruned;
        }),
    });
  });
}
