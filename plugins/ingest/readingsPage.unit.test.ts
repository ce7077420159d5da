/** Range reads over hour buckets: bounds, key filter, cursors, and the per-page bucket budget. */
import { assert, describe, it } from "@effect/vitest";
import { Effect, Layer, Result } from "effect";
import { applyProjectionBatch } from "../../core/projections/applyProjectionBatch.ts";
import { layerMemory as readModelsInMemory } from "../../core/projections/ReadModelStoreMemory.ts";
import { layerMemory as eventsInMemory } from "../../core/store/EventStoreMemory.ts";
import { recorded, storedEnvelope } from "../../test/ingest/telemetryEvents.ts";
import { defaultIngestLimits } from "./ingestLimits.ts";
import { type ReadingsPage, readingsPage } from "./readingsPage.ts";
import { readingsProjection } from "./readingsProjection.ts";
import { parseReadingsQuery } from "./readingsQuery.ts";

const start = Date.parse("2025-03-01T00:00:00Z");
const hour = 3_600_000;
const nowMs = start + 30 * 24 * hour;
const span = { firstMs: start, lastMs: start + 47 * hour };

/** Two readings per hour over two days: `t` every time, `rare` once a day. */
const seedTwoDays = applyProjectionBatch(
  readingsProjection,
  Array.from({ length: 96 }, (_, i) =>
    storedEnvelope(
      recorded({
        ts: new Date(start + i * (hour / 2)).toISOString(),
        values: i % 48 === 0 ? { t: i, rare: i } : { t: i },
        streamVersion: i + 1,
      }),
    ),
  ),
);

/** Every page of a query, following cursors. */
const allPages = (parameters: Record<string, Array<string>>, limits = defaultIngestLimits) =>
  Effect.gen(function* () {
    const pages: Array<ReadingsPage> = [];
    let current = parameters;
    for (let i = 0; i < 100; i++) {
      const query = parseReadingsQuery(current, nowMs, limits);
      if (Result.isFailure(query)) return yield* Effect.die(query.failure);
      const page = yield* readingsPage("acme", "pump-1", query.success, span, limits);
      pages.push(page);
      if (page.nextCursor === null) break;
      current = { cursor: [page.nextCursor], ...(parameters.limit === undefined ? {} : { limit: parameters.limit }) };
    }
    return pages;
  });

const valuesOf = (pages: ReadonlyArray<ReadingsPage>) =>
  pages.flatMap((page) => page.readings.map((reading) => ("value" in reading ? reading.value : reading.values.t)));

const layer = Layer.mergeAll(readModelsInMemory, eventsInMemory);
const iso = (ms: number) => new Date(ms).toISOString();

describe("readingsPage", () => {
  it.effect("pages through a range in ts order, from inclusive, to exclusive", () =>
    Effect.gen(function* () {
      yield* seedTwoDays;
      const pages = yield* allPages({ from: [iso(start + hour)], to: [iso(start + 3 * hour)], limit: ["3"] });
      assert.deepStrictEqual(valuesOf(pages), [2, 3, 4, 5]);
      assert.deepStrictEqual(
        pages.map((page) => page.readings.length),
        [3, 1],
      );
    }).pipe(Effect.provide(layer)),
  );

  it.effect("filters by key, returning {ts, value}", () =>
    Effect.gen(function* () {
      yield* seedTwoDays;
      const pages = yield* allPages({ key: ["rare"], from: [iso(start)], to: [iso(start + 48 * hour)] });
      assert.deepStrictEqual(
        pages.flatMap((page) => page.readings),
        [
          { ts: iso(start), value: 0 },
          { ts: iso(start + 24 * hour), value: 48 },
        ],
      );
    }).pipe(Effect.provide(layer)),
  );

  it.effect("stops at the bucket budget with a cursor, even when the page is not full", () =>
    Effect.gen(function* () {
      yield* seedTwoDays;
      const limits = { ...defaultIngestLimits, maxBucketsPerPage: 5 };
      const pages = yield* allPages({ key: ["rare"], from: [iso(start)], to: [iso(start + 48 * hour)] }, limits);
      assert.deepStrictEqual(valuesOf(pages), [0, 48]);
      assert.strictEqual(pages.length, 10);
      assert.strictEqual(pages[1]?.readings.length, 0);
      assert.isNotNull(pages[1]?.nextCursor);
    }).pipe(Effect.provide(layer)),
  );

  it.effect("skips the hours outside the device's reading span", () =>
    Effect.gen(function* () {
      yield* seedTwoDays;
      const limits = { ...defaultIngestLimits, maxBucketsPerPage: 48 };
      const pages = yield* allPages({ from: [iso(start - 20 * 24 * hour)], to: [iso(nowMs)] }, limits);
      assert.strictEqual(valuesOf(pages).length, 96);
      assert.strictEqual(pages.length, 1);
    }).pipe(Effect.provide(layer)),
  );
});
