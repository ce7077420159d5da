/**
 * What the bench reads from Kafka with the admin client: how many messages a topic holds
 * (publish progress), which consumer groups of this bench read a topic, how far behind
 * they are (worker progress), and the clean-up of the bench's topics and groups.
 */
import kafkaJavascript, { type KafkaJS } from "@confluentinc/kafka-javascript";

const { Kafka, logLevel, IsolationLevel } = kafkaJavascript.KafkaJS;

const timeout = 10_000;

/**
 * @example
 * const kafka = benchKafka("127.0.0.1:19092");
 */
export const benchKafka = (bootstrapServers: string): KafkaJS.Kafka =>
  new Kafka({
    kafkaJS: {
      brokers: bootstrapServers.split(",").map((broker) => broker.trim()),
      clientId: "anansky-bench",
      logLevel: logLevel.ERROR,
    },
  });

/** Offsets of one topic: partition → high watermark, and group → partition → committed (or the low watermark). */
export interface TopicOffsets {
  readonly high: ReadonlyMap<number, number>;
  readonly committed: ReadonlyMap<string, ReadonlyMap<number, number>>;
}

export interface KafkaInspection {
  /** Messages ever written to the topic (the sum of its partitions' high watermarks); 0 if it does not exist. */
  messagesIn(topic: string): Promise<number>;
  /** The bench's groups (by prefix) with a member assigned a partition of `topic`. */
  groupsReading(topic: string, groupPrefix: string): Promise<Array<string>>;
  /** Per group: messages of `topic` not committed yet (undefined: the group never committed). */
  lagOf(groups: ReadonlyArray<string>, topic: string): Promise<Map<string, number | undefined>>;
  /** The topic's partitions with their high watermarks, and each group's committed offset per partition. */
  offsetsOf(groups: ReadonlyArray<string>, topic: string): Promise<TopicOffsets>;
  ensureTopic(topic: string, partitions: number): Promise<void>;
  /**
   * Commits every group's offsets at the topic's end: the backlog is skipped. Only for
   * groups with no member running (Kafka accepts such commits from outside the group).
   */
  skipToEnd(groups: ReadonlyArray<string>, topic: string): Promise<void>;
  /** Deletes the topics named `<prefix>.…` and the groups named `<prefix>…`; resolves with the groups it could not delete. */
  deleteByPrefix(topicPrefix: string, groupPrefix: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * @example
 * const inspection = await connectKafkaInspection(kafka);
 * await inspection.messagesIn("bench-x.telemetry"); // 12_400
 */
export const connectKafkaInspection = async (kafka: KafkaJS.Kafka): Promise<KafkaInspection> => {
  const admin = kafka.admin();
  await admin.connect();
  const known = new Set<string>();

  const exists = async (topic: string): Promise<boolean> => {
    if (known.has(topic)) return true;
    const topics = await admin.listTopics({ timeout });
    for (const name of topics) known.add(name);
    return known.has(topic);
  };

  const watermarks = async (topic: string) =>
    (await exists(topic))
      ? admin.fetchTopicOffsets(topic, { timeout, isolationLevel: IsolationLevel.READ_UNCOMMITTED })
      : [];

  return {
    messagesIn: async (topic) => (await watermarks(topic)).reduce((sum, row) => sum + Number(row.high), 0),

    groupsReading: async (topic, groupPrefix) => {
      const { groups } = await admin.listGroups({ timeout });
      const ours = groups.map((group) => group.groupId).filter((id) => id.startsWith(groupPrefix));
      if (ours.length === 0) return [];
      const described = await admin.describeGroups(ours, { timeout });
      return described.groups
        .filter((group) =>
          group.members.some((member) =>
            (member.assignment?.topicPartitions ?? []).some((assigned) => assigned.topic === topic),
          ),
        )
        .map((group) => group.groupId)
        .sort();
    },

    offsetsOf: async (groups, topic) => {
      const marks = await watermarks(topic);
      const partitions = marks.map((row) => row.partition);
      const committed = new Map<string, Map<number, number>>();
      await Promise.all(
        groups.map(async (groupId) => {
          const [rows] = await admin.fetchOffsets({ groupId, topics: [{ topic, partitions }], timeout });
          const byPartition = new Map<number, number>();
          for (const mark of marks) {
            const offset = Number(rows?.partitions.find((row) => row.partition === mark.partition)?.offset ?? -1);
            // Kafka answers -1 (or -1001) for "nothing committed": the group would start at the low watermark.
            byPartition.set(mark.partition, offset >= 0 ? offset : Number(mark.low));
          }
          committed.set(groupId, byPartition);
        }),
      );
      return { high: new Map(marks.map((row) => [row.partition, Number(row.high)])), committed };
    },

    lagOf: async (groups, topic) => {
      const marks = await watermarks(topic);
      const partitions = marks.map((row) => row.partition);
      const lags = new Map<string, number | undefined>();
      await Promise.all(
        groups.map(async (groupId) => {
          const [committed] = await admin.fetchOffsets({ groupId, topics: [{ topic, partitions }], timeout });
          let lag = 0;
          let anyCommit = false;
          for (const mark of marks) {
            const offset = committed?.partitions.find((row) => row.partition === mark.partition)?.offset;
            const commit = offset !== undefined && Number(offset) >= 0 ? Number(offset) : undefined;
            anyCommit ||= commit !== undefined;
            lag += Number(mark.high) - (commit ?? Number(mark.low));
          }
          lags.set(groupId, anyCommit ? lag : undefined);
        }),
      );
      return lags;
    },

    skipToEnd: async (groups, topic) => {
      const ends = (await watermarks(topic)).map((row) => ({ topic, partition: row.partition, offset: row.high }));
      for (const groupId of groups) {
        const outsider = kafka.consumer({ kafkaJS: { groupId, autoCommit: false } });
        await outsider.connect();
        try {
          await outsider.commitOffsets(ends);
        } finally {
          await outsider.disconnect();
        }
      }
    },

    ensureTopic: async (topic, partitions) => {
      if (await exists(topic)) return;
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], timeout });
      known.add(topic);
    },

    deleteByPrefix: async (topicPrefix, groupPrefix) => {
      const topics = (await admin.listTopics({ timeout })).filter((name) => name.startsWith(`${topicPrefix}.`));
      if (topics.length > 0) await admin.deleteTopics({ topics, timeout });
      const { groups } = await admin.listGroups({ timeout });
      const ours = groups.map((group) => group.groupId).filter((id) => id.startsWith(groupPrefix));
      // A group whose last member left only moments ago may refuse; the broker expires it later.
      const results = await Promise.all(
        ours.map((id) =>
          admin.deleteGroups([id], { timeout }).then(
            () => true,
            () => false,
          ),
        ),
      );
      return results.filter((deleted) => !deleted).length;
    },

    close: () => admin.disconnect(),
  };
};
