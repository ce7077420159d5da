/**
 * The state of the in-memory broker behind `EventBusMemory`: partitioned topic logs,
 * committed offsets per consumer group, and which subscription is a group's active
 * member. Plain synchronous code; the Effect side lives in EventBusMemory.ts.
 */
import { Deferred, Effect } from "effect";
import type { IncomingMessage, OutgoingMessage } from "./EventBus.ts";

/** Partitions of a topic created implicitly (by publish or subscribe). */
export const defaultPartitions = 4;

/** A stable hash of the key, so one key always lands on one partition (FNV-1a). */
export const partitionForKey = (key: string, partitions: number): number => {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index++) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
};

interface ConsumerGroup {
  readonly committed: Map<string, number>;
  activeMember: object | undefined;
}

const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class MemoryBroker {
  private readonly logs = new Map<string, Array<Array<IncomingMessage>>>();
  private readonly groups = new Map<string, ConsumerGroup>();
  private changed = Deferred.makeUnsafe<void>();

  /**
   * Completes at the next change (publish, commit, member leaving, subscription closing).
   * Take it BEFORE checking the state you wait on, so no change slips in between.
   */
  nextChange(): Deferred.Deferred<void> {
    return this.changed;
  }

  notifyChange(): void {
    const current = this.changed;
    this.changed = Deferred.makeUnsafe<void>();
    Deferred.doneUnsafe(current, Effect.void);
  }

  hasTopic(topic: string): boolean {
    return this.logs.has(topic);
  }

  /** Creates the topic unless it exists (an existing topic keeps its partitions). */
  ensureTopic(topic: string, partitions: number): void {
    if (!this.logs.has(topic))
      this.logs.set(
        topic,
        Array.from({ length: partitions }, () => []),
      );
  }

  partitionCount(topic: string): number {
    return this.logs.get(topic)?.length ?? 0;
  }

  append(messages: ReadonlyArray<OutgoingMessage>): void {
    for (const message of messages) {
      this.ensureTopic(message.topic, defaultPartitions);
      const partitions = this.logs.get(message.topic) ?? [];
      const partition = partitionForKey(message.key, partitions.length);
      const log = partitions[partition] ?? [];
      log.push({ ...message, headers: { ...message.headers }, partition, offset: String(log.length) });
    }
    if (messages.length > 0) this.notifyChange();
  }

  endOffset(topic: string, partition: number): number {
    return this.logs.get(topic)?.[partition]?.length ?? 0;
  }

  /** Up to `max` consecutive messages of one partition, starting at offset `from`. */
  read(topic: string, partition: number, from: number, max: number): ReadonlyArray<IncomingMessage> {
    return this.logs.get(topic)?.[partition]?.slice(from, from + max) ?? [];
  }

  committed(groupId: string, topic: string, partition: number): number | undefined {
    return this.groups.get(groupId)?.committed.get(partitionKey(topic, partition));
  }

  commit(groupId: string, topic: string, partition: number, nextOffset: number): void {
    this.group(groupId).committed.set(partitionKey(topic, partition), nextOffset);
    this.notifyChange();
  }

  /** Makes `member` the group's active member unless another one is. */
  tryJoin(groupId: string, member: object): boolean {
    const group = this.group(groupId);
    if (group.activeMember !== undefined && group.activeMember !== member) return false;
    group.activeMember = member;
    return true;
  }

  leave(groupId: string, member: object): void {
    const group = this.group(groupId);
    if (group.activeMember === member) group.activeMember = undefined;
    this.notifyChange();
  }

  private group(groupId: string): ConsumerGroup {
    let group = this.groups.get(groupId);
    if (group === undefined) {
      group = { committed: new Map(), activeMember: undefined };
      this.groups.set(groupId, group);
    }
    return group;
  }
}
