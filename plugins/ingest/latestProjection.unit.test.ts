/** The `latest` read model as given/when/then: given these events were folded, when this one arrives, then the document. */
import { assert, describe, it } from "@effect/vitest";
import { Effect, Layer, Option } from "effect";
import { applyProjectionBatch } from "../../core/projections/applyProjectionBatch.ts";
import { ReadModelStore } from "../../core/projections/ReadModelStore.ts";
import { layerMemory as readModelsInMemory } from "../../core/projections/ReadModelStoreMemory.ts";
import { layerMemory as eventsInMemory } from "../../core/store/EventStoreMemory.ts";
import { permutations, type Recorded, recorded, storedEnvelope } from "../../test/ingest/telemetryEvents.ts";
import { type LatestDocument, latestProjection, makeLatestProjection } from "./latestProjection.ts";

const fold = (events: ReadonlyArray<Recorded>, projection = latestProjection) =>
  events.reduce<LatestDocument | undefined>((doc, event) => projection.apply(doc, event), undefined);

const at = (minute: number) => `2025-03-01T10:${String(minute).padStart(2, "0")}:00.000Z`;

describe("latest projection", () => {
  it("given nothing, when a reading arrives, then the device's document holds its values", () => {
    const event = recorded({ ts: at(1), recordedAt: at(2), values: { temp: 21, "cpu.load": 0.5 } });
    assert.strictEqual(latestProjection.key(event), "acme|pump-1");
    assert.deepStrictEqual(fold([event]), {
      tenantId: "acme",
      deviceId: "pump-1",
      lastSeenAt: at(2),
      firstReadingAt: at(1),
      lastReadingAt: at(1),
      values: { temp: { value: 21, ts: at(1) }, "cpu%2Eload": { value: 0.5, ts: at(1) } },
    });
  });

  it("given newer values, when an older reading arrives late, then only its unseen keys are taken", () => {
    const newer = recorded({ ts: at(5), values: { temp: 25 } });
    const older = recorded({ ts: at(1), recordedAt: at(9), values: { temp: 21, humidity: 40 } });
    const doc = fold([newer, older]);
    assert.deepStrictEqual(doc?.values, { temp: { value: 25, ts: at(5) }, humidity: { value: 40, ts: at(1) } });
    assert.strictEqual(doc?.firstReadingAt, at(1));
    assert.strictEqual(doc?.lastReadingAt, at(5));
    assert.strictEqual(doc?.lastSeenAt, at(9));
  });

  it("given some readings, when they arrive again or in any order, then the document is the same", () => {
    const events = [
      recorded({ ts: at(1), values: { a: 1, b: 1 } }),
      recorded({ ts: at(3), values: { a: 3 } }),
      recorded({ ts: at(2), recordedAt: at(8), values: { b: 2, c: "x" } }),
    ];
    const expected = fold(events);
    for (const order of permutations(events)) assert.deepStrictEqual(fold(order), expected);
    assert.deepStrictEqual(fold([...events, ...events]), expected);
  });

  it("given a device inventing keys, when it passes the cap, then the oldest keys go", () => {
    const small = makeLatestProjection({ maxLatestKeys: 2 });
    const doc = fold(
      [
        recorded({ ts: at(1), values: { a: 1 } }),
        recorded({ ts: at(2), values: { b: 2 } }),
        recorded({ ts: at(3), values: { c: 3 } }),
      ],
      small,
    );
    assert.deepStrictEqual(Object.keys(doc?.values ?? {}).sort(), ["b", "c"]);
  });

  it.effect("when folded by the runner into a store, then dotted keys are stored and read back", () =>
    Effect.gen(function* () {
      const event = recorded({ ts: at(1), values: { "cpu.load": 0.5 } });
      yield* applyProjectionBatch(latestProjection, [storedEnvelope(event)]);
      const stored = yield* ReadModelStore.use((store) => store.get("rm_latest", "acme|pump-1"));
      assert.deepStrictEqual(Option.getOrUndefined(stored)?.values, { "cpu%2Eload": { value: 0.5, ts: at(1) } });
    }).pipe(Effect.provide(Layer.mergeAll(readModelsInMemory, eventsInMemory))),
  );
});
