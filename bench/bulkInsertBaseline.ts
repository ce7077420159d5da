/**
 * Raw store baseline: documents per second the MongoDB-wire server takes through
 * `insertMany` in batches (unordered, as the event store appends), one batch at a time.
 * The documents look like stored TelemetryRecorded events, so the ingest-to-raw ratio
 * compares like with like.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "mongodb";
import type { ThroughputMeasurement } from "./kafkaProducerBaseline.ts";
import { preciseNowMs } from "./percentiles.ts";

/**
 * A document shaped like one stored TelemetryRecorded event.
 *
 * @example
 * eventLikeDocument(7).streamId; // "telemetry-bench-sim-0008"
 */
export const eventLikeDocument = (index: number) => {
  const now = new Date();
  const deviceId = `sim-${String((index % 100) + 1).padStart(4, "0")}`;
  return {
    _id: randomUUID() as string,
    type: "TelemetryRecorded",
    schemaVersion: 2,
    streamId: `telemetry-bench-${deviceId}`,
    streamVersion: Math.floor(index / 100) + 1,
    occurredAt: now,
    recordedAt: now,
    tenantId: "bench",
    causationId: null,
    correlationId: randomUUID(),
    traceparent: null,
    payload: {
      deviceId,
      ts: now.toISOString(),
      values: { temperature: 21.5 + (index % 7), humidity: 48.25, pressure: 1013.2, battery: 87.5, door_open: false },
    },
  };
};

/**
 * @example
 * const { perSecond } = await measureBulkInsert({ db, collection: "bench_raw_insert", documents: 50_000, batch: 1_000, timeLimitMs: 60_000 });
 */
export const measureBulkInsert = async (options: {
  readonly db: Db;
  readonly collection: string;
  readonly documents: number;
  readonly batch: number;
  readonly timeLimitMs: number;
}): Promise<ThroughputMeasurement> => {
  const collection = options.db.collection<ReturnType<typeof eventLikeDocument>>(options.collection);
  await collection.drop().catch(() => undefined);
  // Creating the collection is not part of the rate.
  await collection.insertOne(eventLikeDocument(-1));
  const startedAt = preciseNowMs();
  const deadline = startedAt + options.timeLimitMs;
  let inserted = 0;
  while (inserted < options.documents && preciseNowMs() < deadline) {
    const size = Math.min(options.batch, options.documents - inserted);
    // Building a batch is timed too; for 1,000 documents it is well under a millisecond.
    const documents = Array.from({ length: size }, (_, index) => eventLikeDocument(inserted + index));
    await collection.insertMany(documents, { ordered: false });
    inserted += size;
  }
  const elapsedMs = preciseNowMs() - startedAt;
  await collection.drop().catch(() => undefined);
  return { perSecond: (inserted * 1000) / elapsedMs, units: inserted, elapsedMs };
};
