/**
 * Offsets of a consumer group read through the admin client: the group's lag, and the
 * explicit start offsets that make `fromBeginning: false` mean "after subscribe returned".
 */
import kafkaJavascript, { type KafkaJS } from "@confluentinc/kafka-javascript";
import { Effect } from "effect";
import type { EventBusUnavailable } from "./Errors.ts";
import type { PartitionLag } from "./EventBus.ts";
import { tryKafka } from "./kafkaBridge.ts";

const { IsolationLevel } = kafkaJavascript.KafkaJS;

/** One partition as a group sees it. */
export interface GroupPartitionOffsets {
  readonly topic: string;
  readonly partition: number;
  /** The group's committed offset, undefined when it has none. */
  readonly committed: string | undefined;
  readonly low: string;
  readonly high: string;
}

/**
 * Committed, low and high watermark offsets of every partition of `topic` for `groupId`.
 *
 * @example
 * const rows = yield* groupOffsets(admin, "alert-rules", "anansky.telemetry", 10_000);
 */
export const groupOffsets = (
  admin: KafkaJS.Admin,
  groupId: string,
  topic: string,
  timeoutMs: number,
): Effect.Effect<Array<GroupPartitionOffsets>, EventBusUnavailable> =>
  Effect.gen(function* () {
    const watermarks = yield* tryKafka("offsets", () =>
      // The high watermark, not the last stable offset: the producer is not transactional.
      admin.fetchTopicOffsets(topic, { timeout: timeoutMs, isolationLevel: IsolationLevel.READ_UNCOMMITTED }),
    );
    const partitions = watermarks.map((row) => row.partition).sort((a, b) => a - b);
    const [committed] = yield* tryKafka("offsets", () =>
      admin.fetchOffsets({ groupId, topics: [{ topic, partitions }], timeout: timeoutMs }),
    );
    return partitions.map((partition) => {
      const watermark = watermarks.find((row) => row.partition === partition);
      const commit = committed?.partitions.find((row) => row.partition === partition)?.offset;
      return {
        topic,
        partition,
        // Kafka answers -1 or -1001 for "nothing committed".
        committed: commit !== undefined && BigInt(commit) >= 0n ? commit : undefined,
        low: watermark?.low ?? "0",
        high: watermark?.high ?? "0",
      };
    });
  });

/**
 * The lag row of a partition; no commit counts as the low watermark (where the group
 * would start reading).
 *
 * @example
 * const rows = (yield* groupOffsets(admin, groupId, topic, 10_000)).map(toPartitionLag);
 */
export const toPartitionLag = (row: GroupPartitionOffsets): PartitionLag => {
  const committedOffset = row.committed ?? row.low;
  return {
    topic: row.topic,
    partition: row.partition,
    committedOffset,
    endOffset: row.high,
    lag: Number(BigInt(row.high) - BigInt(committedOffset)),
  };
};

/**
 * The assignment with an explicit start at the current end for partitions the group
 * never committed; the others start at their commit. Kafka's own "latest" is resolved
 * only when fetching starts, which skips messages published right after the join.
 *
 * @example
 * rebalance_cb: (error, assignment) => Effect.runPromise(startAtEnd(admin, groupId, assignment, 10_000));
 */
export const startAtEnd = (
  admin: KafkaJS.Admin,
  groupId: string,
  assignment: ReadonlyArray<KafkaJS.TopicPartition>,
  timeoutMs: number,
): Effect.Effect<Array<KafkaJS.TopicPartition & { offset?: number }>, EventBusUnavailable> =>
  Effect.gen(function* () {
    const topics = [...new Set(assignment.map(({ topic }) => topic))];
    const rows = (yield* Effect.forEach(topics, (topic) => groupOffsets(admin, groupId, topic, timeoutMs))).flat();
    return assignment.map(({ topic, partition }) => {
      const row = rows.find((candidate) => candidate.topic === topic && candidate.partition === partition);
      return row === undefined || row.committed !== undefined
        ? { topic, partition }
        : { topic, partition, offset: Number(row.high) };
    });
  });
