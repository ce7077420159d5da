/**
 * Worker throughput from consumer offsets: with N worker processes running and caught
 * up, the simulator feeds a burst of readings (far faster than workers handle them),
 * and every consumer group reading the telemetry topic (plugin handlers, projections)
 * is watched committing its way through. Done is every group at lag zero once the burst
 * is in. The clock starts at the first commit after the burst began.
 *
 * Workers append to the same topic as they go (external-source's TelemetryEnriched), so
 * when the time limit stops a slow drain, readings handled are estimated from the
 * slowest group's committed messages times the share of readings among the messages.
 */
import type { KafkaInspection, TopicOffsets } from "./kafkaInspection.ts";
import { preciseNowMs } from "./percentiles.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + value, 0);

const committedBy = (offsets: TopicOffsets, group: string): number => sum(offsets.committed.get(group)?.values() ?? []);

const lagOf = (offsets: TopicOffsets, group: string): number =>
  sum([...offsets.high].map(([partition, high]) => high - (offsets.committed.get(group)?.get(partition) ?? high)));

export interface WorkerThroughput {
  readonly perSecond: number;
  readonly note: string;
}

/**
 * @example
 * const { perSecond } = await measureWorkerThroughput({
 *   inspection, topic: "bench-x.telemetry", groups, groupPrefix: "bench-x", timeLimitMs: 60_000,
 *   feed: async () => (await measureIngest(...)).accepted,
 * });
 */
export const measureWorkerThroughput = async (options: {
  readonly inspection: KafkaInspection;
  readonly topic: string;
  readonly groups: ReadonlyArray<string>;
  readonly groupPrefix: string;
  readonly timeLimitMs: number;
  /** Sends the burst; resolves with how many readings were accepted and published. */
  readonly feed: () => Promise<number>;
}): Promise<WorkerThroughput> => {
  const { inspection, topic, groups } = options;
  if (groups.length === 0) throw new Error(`no consumer group reads ${topic}`);
  const start = await inspection.offsetsOf(groups, topic);
  let fed: number | undefined;
  let feedFailure: unknown;
  const feeding = options.feed().then(
    (accepted) => {
      fed = accepted;
    },
    (error: unknown) => {
      feedFailure = error;
    },
  );
  const feedStartedAt = preciseNowMs();
  let firstCommitAt: number | undefined;
  const doneAt = new Map<string, number>();
  let latest = start;
  for (;;) {
    latest = await inspection.offsetsOf(groups, topic);
    const now = preciseNowMs();
    const moved = groups.some((group) => committedBy(latest, group) > committedBy(start, group));
    if (firstCommitAt === undefined && moved) firstCommitAt = now;
    for (const group of groups) {
      if (lagOf(latest, group) > 0) doneAt.delete(group);
      else if (fed !== undefined && !doneAt.has(group)) doneAt.set(group, now);
    }
    if (feedFailure !== undefined || (fed !== undefined && doneAt.size === groups.length)) break;
    const deadline = firstCommitAt === undefined ? feedStartedAt + 120_000 : firstCommitAt + options.timeLimitMs;
    if (now > deadline) break;
    await sleep(100);
  }
  const endedAt = preciseNowMs();
  await feeding;
  if (feedFailure !== undefined) throw feedFailure;
  if (firstCommitAt === undefined) throw new Error("no group committed anything within 120 s of the burst");
  const readings = fed ?? 0;
  const finished = doneAt.size === groups.length;
  const appended = sum(latest.high.values()) - sum(start.high.values());
  const slowest = Math.min(...groups.map((group) => committedBy(latest, group) - committedBy(start, group)));
  // Readings among the messages handled, when the slowest group did not get through them all.
  const handled = finished ? readings : Math.min(readings, Math.round((slowest * readings) / Math.max(1, appended)));
  const until = finished ? Math.max(...doneAt.values()) : endedAt;
  const shortName = (group: string) => group.slice(options.groupPrefix.length + 1);
  const perGroup = groups.map((group) => {
    const done = doneAt.get(group);
    return done === undefined
      ? `${shortName(group)} ${(committedBy(latest, group) - committedBy(start, group)).toLocaleString("en-US")} of ${appended.toLocaleString("en-US")} messages`
      : `${shortName(group)} ${((done - firstCommitAt) / 1000).toFixed(1)} s`;
  });
  const note = [
    `burst of ${readings.toLocaleString("en-US")} readings (${appended.toLocaleString("en-US")} messages with the ${Math.max(0, appended - readings).toLocaleString("en-US")} enriched copies workers appended)`,
    ...(finished ? [] : [`time limit: about ${handled.toLocaleString("en-US")} readings through every group`]),
    `per group: ${perGroup.join(", ")}`,
  ].join("; ");
  return { perSecond: (handled * 1000) / Math.max(1, until - firstCommitAt), note };
};
