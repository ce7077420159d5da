/** The `readings` read model (hour buckets) as given/when/then. */
import { assert, describe, it } from "@effect/vitest";
import { Effect, Layer, Option } from "effect";
import { applyProjectionBatch } from "../../core/projections/applyProjectionBatch.ts";
import { ReadModelStore } from "../../core/projections/ReadModelStore.ts";
import { layerMemory as readModelsInMemory } from "../../core/projections/ReadModelStoreMemory.ts";
import { layerMemory as eventsInMemory } from "../../core/store/EventStoreMemory.ts";
import { permutations, type Recorded, recorded, storedEnvelope } from "../../test/ingest/telemetryEvents.ts";
import { readingsBucketOf } from "./readingsBucketForm.ts";
import { makeReadingsProjection, type ReadingsBucket, readingsProjection } from "./readingsProjection.ts";

const fold = (events: ReadonlyArray<Recorded>, projection = readingsProjection) =>
  events.reduce<ReadingsBucket | undefined>((doc, event) => projection.apply(doc, event), undefined);

const ts = (time: string) => `2025-03-01T${time}.000Z`;
const tsOf = (doc: ReadingsBucket | undefined) => doc?.samples.map((sample) => new Date(sample.ts).toISOString());

describe("readings projection", () => {
  it("keys a reading by tenant, device and UTC hour; the hour's first instant opens the next bucket", () => {
    assert.strictEqual(
      readingsProjection.key(recorded({ ts: ts("10:59:59"), values: { t: 1 } })),
      "acme|pump-1|2025-03-01T10:00:00.000Z",
    );
    assert.strictEqual(
      readingsProjection.key(recorded({ ts: ts("11:00:00"), values: { t: 1 } })),
      "acme|pump-1|2025-03-01T11:00:00.000Z",
    );
  });

  it("given readings arriving out of order or twice, then the bucket holds each once, sorted by ts", () => {
    const events = [
      recorded({ ts: ts("10:30:00"), values: { t: 2 } }),
      recorded({ ts: ts("10:10:00"), values: { t: 1 } }),
      recorded({ ts: ts("10:50:00"), values: { "a.b": 3 } }),
    ];
    const expected = fold(events);
    assert.deepStrictEqual(tsOf(expected), [ts("10:10:00"), ts("10:30:00"), ts("10:50:00")]);
    assert.deepStrictEqual(expected?.samples[2]?.values, { "a%2Eb": 3 });
    for (const order of permutations(events)) assert.deepStrictEqual(fold(order), expected);
    assert.deepStrictEqual(fold([...events, ...events.reverse()]), expected);
  });

  it("orders readings with the same ts by event id", () => {
    const doc = fold([
      recorded({ ts: ts("10:00:00"), values: { t: 2 }, id: "01900000-0000-7000-8000-00000000000b" }),
      recorded({ ts: ts("10:00:00"), values: { t: 1 }, id: "01900000-0000-7000-8000-00000000000a" }),
    ]);
    assert.deepStrictEqual(
      doc?.samples.map((sample) => sample.values.t),
      [1, 2],
    );
  });

  it("given a full bucket, when another reading arrives, then it is counted as dropped, not stored", () => {
    const tiny = makeReadingsProjection({ maxBucketBytes: 250 });
    const doc = fold(
      [1, 2, 3, 4].map((second) => recorded({ ts: ts(`10:00:0${second}`), values: { t: second } })),
      tiny,
    );
    assert.strictEqual(doc?.samples.length, 2);
    assert.strictEqual(doc?.droppedSamples, 2);
    assert.isAtMost(doc?.approxBytes ?? 0, 250);
  });

  it.effect("when folded by the runner, then each hour is its own document", () =>
    Effect.gen(function* () {
      const events = ["09:59:59", "10:00:00", "10:30:00", "11:15:00"].map((time, i) =>
        storedEnvelope(recorded({ ts: ts(time), values: { t: i }, streamVersion: i + 1 })),
      );
      yield* applyProjectionBatch(readingsProjection, events);
      const hours = ["09", "10", "11"].map((hour) => `acme|pump-1|2025-03-01T${hour}:00:00.000Z`);
      const buckets = yield* Effect.forEach(hours, (id) => ReadModelStore.use((store) => store.get("rm_readings", id)));
      assert.deepStrictEqual(
        buckets.map((bucket) => readingsBucketOf(Option.getOrUndefined(bucket))?.samples.length),
        [1, 2, 1],
      );
    }).pipe(Effect.provide(Layer.mergeAll(readModelsInMemory, eventsInMemory))),
  );
});
