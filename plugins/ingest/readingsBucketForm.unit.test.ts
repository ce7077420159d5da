/** How hour buckets are stored (samples packed into one string), and that older buckets still read. */
import { assert, describe, it } from "@effect/vitest";
import { Effect, Layer, Option } from "effect";
import { applyProjectionBatch } from "../../core/projections/applyProjectionBatch.ts";
import { ReadModelStore } from "../../core/projections/ReadModelStore.ts";
import { layerMemory as readModelsInMemory } from "../../core/projections/ReadModelStoreMemory.ts";
import { layerMemory as eventsInMemory } from "../../core/store/EventStoreMemory.ts";
import { recorded, storedEnvelope } from "../../test/ingest/telemetryEvents.ts";
import { readingsBucketForm, readingsBucketOf } from "./readingsBucketForm.ts";
import type { ReadingsBucket } from "./readingsProjection.ts";
import { readingsProjection } from "./readingsProjection.ts";

const bucketId = "acme|pump-1|2025-03-01T10:00:00.000Z";

const bucket: ReadingsBucket = {
  tenantId: "acme",
  deviceId: "pump-1",
  hour: "2025-03-01T10:00:00.000Z",
  samples: [
    { ts: Date.parse("2025-03-01T10:00:01Z"), id: "e1", values: { t: 1, "a%2Eb": "on" } },
    { ts: Date.parse("2025-03-01T10:00:02Z"), id: "e2", values: { t: false } },
  ],
  approxBytes: 200,
  droppedSamples: 3,
};

const storedBucket = (id: string) =>
  ReadModelStore.use((store) => store.get(readingsProjection.collection, id)).pipe(Effect.map(Option.getOrUndefined));

describe("readings bucket stored form", () => {
  it("stores the samples as one JSON string beside the plain fields, and reads them back as they were", () => {
    const stored = readingsBucketForm.encode(bucket);
    assert.deepStrictEqual(Object.keys(stored).sort(), [
      "approxBytes",
      "deviceId",
      "droppedSamples",
      "hour",
      "samplesJson",
      "tenantId",
    ]);
    assert.isString(stored.samplesJson);
    assert.deepStrictEqual(readingsBucketForm.decode(stored), bucket);
  });

  it("reads a bucket stored before packing (samples as an array), and gives nothing for a tombstone", () => {
    assert.deepStrictEqual(readingsBucketOf({ ...bucket, _id: bucketId }), { ...bucket, _id: bucketId });
    assert.strictEqual(readingsBucketOf({ _deleted: true, _applied: {} }), undefined);
    assert.strictEqual(readingsBucketOf(undefined), undefined);
  });

  it.effect("when the runner folds a reading into a bucket stored before packing, then it keeps both, packed", () =>
    Effect.gen(function* () {
      const store = yield* ReadModelStore;
      const { samples, ...fields } = bucket;
      yield* store.writeMany(readingsProjection.collection, [
        { id: bucketId, doc: { ...fields, samples, _applied: {} }, create: true },
      ]);
      const event = recorded({ ts: "2025-03-01T10:30:00.000Z", values: { t: 7 }, streamVersion: 1 });
      yield* applyProjectionBatch(readingsProjection, [storedEnvelope(event)]);

      const stored = yield* storedBucket(bucketId);
      assert.isString(stored?.samplesJson);
      assert.notProperty(stored, "samples");
      assert.deepStrictEqual(
        readingsBucketOf(stored)?.samples.map((sample) => sample.id),
        ["e1", "e2", event.id],
      );
      assert.strictEqual(readingsBucketOf(stored)?.droppedSamples, 3);
    }).pipe(Effect.provide(Layer.mergeAll(readModelsInMemory, eventsInMemory))),
  );
});
