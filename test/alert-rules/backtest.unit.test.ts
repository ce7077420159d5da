/**
 * Backtests over stored readings (the `rm_readings` buckets): the same alerts live
 * evaluation raised on the same history, nothing written, requests checked.
 */
import { assert, describe, it } from "@effect/vitest";
import { Cause, Effect, Exit, Layer, Stream } from "effect";
import { EventStore, ReadModelStore } from "../../core/index.ts";
import {
  bucketIdsBetween,
  devicesInCompletionOrder,
  type StoredReading,
  storedBuckets,
} from "../../plugins/alert-rules/backtestReadings.ts";
import { evaluateReading } from "../../plugins/alert-rules/readingEvaluation.ts";
import { planBacktest, runBacktest } from "../../plugins/alert-rules/runBacktest.ts";
import { readingsBucketForm, readingsBucketId, readingsProjection } from "../../plugins/ingest/index.ts";
import {
  alertHistory,
  alertRulesTestLayer,
  decodeRecorded,
  givenReading,
  givenRule,
  lookup,
  tenantId,
  thresholdRule,
  types,
} from "./alertRulesTestLayer.ts";

const t0 = Date.parse("2025-03-01T10:59:50Z");
const temps = [20, 31, 33, 29, 18, 40, 45, 41, 12, 35];

/** Each device's stored readings and dropped samples, as the bucket stream brings them (in its order). */
const readingsByDevice = (deviceIds: ReadonlyArray<string>, fromMs: number, toMs: number) =>
  Effect.gen(function* () {
    const byDevice = new Map(
      deviceIds.map((deviceId) => [deviceId, { readings: [] as Array<StoredReading>, droppedSamples: 0 }]),
    );
    yield* storedBuckets(tenantId, devicesInCompletionOrder(tenantId, deviceIds, toMs), fromMs, toMs).pipe(
      Stream.runForEach((bucket) =>
        Effect.sync(() => {
          const device = byDevice.get(bucket.deviceId);
          assert.isDefined(device, `a bucket of ${bucket.deviceId}, which was not asked for`);
          device?.readings.push(...bucket.readings);
          if (device !== undefined) device.droppedSamples += bucket.droppedSamples;
        }),
      ),
    );
    return byDevice;
  });

describe("backtests", () => {
  it("covers a range with the hour buckets it touches", () => {
    const ids = bucketIdsBetween("acme", "p", Date.parse("2025-03-01T10:30:00Z"), Date.parse("2025-03-01T12:00:00Z"));
    assert.deepStrictEqual(ids, ["acme|p|2025-03-01T10:00:00.000Z", "acme|p|2025-03-01T11:00:00.000Z"]);
  });

  it.effect(
    "given a recorded history across an hour boundary, then the backtest returns the alerts live evaluation raised",
    () =>
      Effect.gen(function* () {
        const body = thresholdRule("hot", 30, {
          clear: { type: "threshold", value: { source: "reading", key: "temp" }, op: "<", threshold: 25 },
        });
        yield* givenRule(body);
        const deps = { lookup: lookup(), types, decode: decodeRecorded };
        for (const [i, temp] of temps.entries()) {
          yield* evaluateReading(yield* givenReading("pump-1", t0 + i * 2_000, { temp }), deps);
        }
        const live = yield* alertHistory("hot", "pump-1");
        const eventsBefore = yield* Stream.runCollect((yield* EventStore).readAll());

        const plan = yield* planBacktest(
          tenantId,
          {
            rule: body,
            from: new Date(t0).toISOString(),
            to: new Date(t0 + 60_000).toISOString(),
            devices: ["pump-1"],
          },
          types,
        );
        const progress: Array<number> = [];
        const result = yield* runBacktest(tenantId, types, plan, (p) =>
          Effect.sync(() => progress.push(p.devicesDone)),
        );

        const raised = live.filter((e) => e.type === "AlertRaised");
        const resolved = live.filter((e) => e.type === "AlertResolved");
        assert.deepStrictEqual(
          result.alerts.map((a) => [a.raisedAt, a.resolvedAt, a.severity, a.peakValue]),
          raised.map((r, i) => [
            Date.parse(String(r.payload.at)),
            resolved[i] === undefined ? null : Date.parse(String(resolved[i]?.payload.at)),
            r.payload.severity,
            // A resolved alert reports its peak; one still open, the worst value so far (here: the raising one).
            resolved[i]?.payload.peak ?? r.payload.value,
          ]),
        );
        assert.strictEqual(result.alerts.length, 3);
        assert.strictEqual(result.summary.readings, temps.length);
        assert.deepStrictEqual(progress, [1]);
        assert.strictEqual((yield* Stream.runCollect((yield* EventStore).readAll())).length, eventsBefore.length);
      }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect("given readings outside the range, then they are left out", () =>
    Effect.gen(function* () {
      for (const [i, temp] of temps.entries()) yield* givenReading("pump-1", t0 + i * 2_000, { temp });
      const byDevice = yield* readingsByDevice(["pump-1"], t0 + 4_000, t0 + 10_000);
      assert.deepStrictEqual(
        byDevice.get("pump-1")?.readings.map((r) => r.values.temp),
        [33, 29, 18],
      );
    }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect(
    "given buckets that dropped samples, stored packed or as an array, then both are read and the drops counted",
    () =>
      Effect.gen(function* () {
        const store = yield* ReadModelStore;
        const hour = Date.parse("2025-03-01T10:00:00Z");
        const bucket = (deviceId: string, ts: number, droppedSamples: number) => ({
          tenantId,
          deviceId,
          hour: new Date(hour).toISOString(),
          samples: [{ ts, id: `e-${deviceId}`, values: { temp: 1 } }],
          approxBytes: 100,
          droppedSamples,
        });
        yield* store.writeMany(readingsProjection.collection, [
          {
            id: readingsBucketId(tenantId, "pump-1", hour),
            doc: readingsBucketForm.encode(bucket("pump-1", hour + 1, 4)),
            create: true,
          },
          { id: readingsBucketId(tenantId, "pump-2", hour), doc: bucket("pump-2", hour + 2, 1), create: true },
        ]);
        const loaded = yield* readingsByDevice(["pump-1", "pump-2"], hour, hour + 3_600_000);
        const [one, two] = [loaded.get("pump-1"), loaded.get("pump-2")];
        assert.deepStrictEqual(
          [one?.droppedSamples, one?.readings.map((r) => r.ts), two?.droppedSamples, two?.readings.map((r) => r.ts)],
          [4, [hour + 1], 1, [hour + 2]],
        );
      }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect("given keys with dots (stored escaped), then readings carry the keys as sent", () =>
    Effect.gen(function* () {
      yield* givenReading("pump-1", t0, { "cpu.load": 0.5, temp: 20 });
      const loaded = yield* readingsByDevice(["pump-1"], t0, t0 + 1_000);
      assert.deepStrictEqual(
        loaded.get("pump-1")?.readings.map((r) => r.values),
        [{ "cpu.load": 0.5, temp: 20 }],
      );
    }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect("given a device's buckets spread over 31 days, then all its readings come in order", () =>
    Effect.gen(function* () {
      const dayMs = 86_400_000;
      const times = [t0, t0 + 8 * dayMs, t0 + 20 * dayMs, t0 + 31 * dayMs - 2_000];
      for (const [i, ts] of times.entries()) yield* givenReading("pump-1", ts, { temp: i });
      const loaded = yield* readingsByDevice(["pump-1"], t0, t0 + 31 * dayMs);
      assert.deepStrictEqual(
        loaded.get("pump-1")?.readings.map((r) => r.ts),
        times,
      );
    }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect("given several devices read together, then each gets its own readings in order", () =>
    Effect.gen(function* () {
      for (const [i, temp] of temps.entries()) {
        yield* givenReading("pump-1", t0 + i * 2_000, { temp });
        yield* givenReading("pump-2", t0 + i * 2_000 + 1_000, { temp: temp + 100 });
      }
      const byDevice = yield* readingsByDevice(["pump-1", "pump-2", "pump-9"], t0, t0 + 3_600_000);
      assert.deepStrictEqual(
        byDevice.get("pump-1")?.readings.map((r) => r.values.temp),
        temps,
      );
      assert.deepStrictEqual(
        byDevice.get("pump-2")?.readings.map((r) => r.values.temp),
        temps.map((temp) => temp + 100),
      );
      assert.deepStrictEqual(byDevice.get("pump-9"), { readings: [], droppedSamples: 0 });
    }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it("orders devices by their last bucket id, the order the bucket stream completes them in", () => {
    const to = Date.parse("2025-03-02T00:00:00Z");
    assert.deepStrictEqual(devicesInCompletionOrder("acme", ["d2", "d10", "d1"], to), [
      { deviceId: "d10", lastBucketId: "acme|d10|2025-03-01T23:00:00.000Z" },
      { deviceId: "d1", lastBucketId: "acme|d1|2025-03-01T23:00:00.000Z" },
      { deviceId: "d2", lastBucketId: "acme|d2|2025-03-01T23:00:00.000Z" },
    ]);
  });

  it.effect(
    "given several devices, then each device's alerts come in the order asked and progress counts each device once",
    () =>
      Effect.gen(function* () {
        // d10's buckets sort before d1's ("|" after "0"), so devices complete as d10, d1, d2; d1 spans two hours.
        const hot = [[31, 20], [40], [35, 36, 10]] as const;
        for (const [i, [deviceId, times]] of (
          [
            ["d1", [t0, t0 + 3_600_000]],
            ["d10", [t0 + 1_000]],
            ["d2", [t0 + 2_000, t0 + 4_000, t0 + 6_000]],
          ] as const
        ).entries()) {
          for (const [j, ts] of times.entries()) yield* givenReading(deviceId, ts, { temp: hot[i]?.[j] ?? 0 });
        }
        const plan = yield* planBacktest(
          tenantId,
          {
            rule: thresholdRule("hot", 30),
            from: new Date(t0).toISOString(),
            // 31 days: 745 hour buckets per device, so each device is a read of its own.
            to: new Date(t0 + 31 * 86_400_000).toISOString(),
            devices: ["d2", "none", "d1", "d10"],
          },
          types,
        );
        const progress: Array<[number, number]> = [];
        const result = yield* runBacktest(tenantId, types, plan, (p) =>
          Effect.sync(() => progress.push([p.devicesDone, p.devicesTotal])),
        );
        assert.deepStrictEqual(
          result.alerts.map((alert) => [alert.deviceId, alert.raisedAt, alert.resolvedAt]),
          [
            ["d2", t0 + 2_000, t0 + 6_000],
            ["d1", t0, t0 + 3_600_000],
            ["d10", t0 + 1_000, null],
          ],
        );
        assert.deepStrictEqual(progress, [
          [1, 4],
          [2, 4],
          [3, 4],
          [4, 4],
        ]);
        assert.strictEqual(result.summary.readings, 6);
        assert.strictEqual(result.summary.devicesWithAlerts, 3);
      }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect(
    "given a store that streams buckets out of id order, then the backtest fails instead of losing readings",
    () =>
      Effect.gen(function* () {
        for (const deviceId of ["d1", "d2"]) yield* givenReading(deviceId, t0, { temp: 40 });
        const plan = yield* planBacktest(
          tenantId,
          { rule: thresholdRule("hot", 30), from: new Date(t0).toISOString(), to: new Date(t0 + 60_000).toISOString() },
          types,
        );
        const exit = yield* Effect.exit(
          runBacktest(tenantId, types, { ...plan, devices: ["d1", "d2"] }, () => Effect.void),
        );
        assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause));
      }).pipe(
        // The same memory store, streaming in reverse.
        Effect.provide(
          Layer.effect(
            ReadModelStore,
            Effect.gen(function* () {
              const store = yield* ReadModelStore;
              return ReadModelStore.of({
                ...store,
                streamMany: (collection, ids, options) =>
                  Stream.unwrap(
                    Effect.map(Stream.runCollect(store.streamMany(collection, ids, options)), (documents) =>
                      Stream.fromIterable(documents.toReversed()),
                    ),
                  ),
              });
            }),
          ),
        ),
        Effect.provide(alertRulesTestLayer()),
      ),
  );

  it.effect("given a progress callback that stops the run (the client left), then no further device is read", () =>
    Effect.gen(function* () {
      for (const deviceId of ["d1", "d2", "d3"]) yield* givenReading(deviceId, t0, { temp: 40 });
      const plan = yield* planBacktest(
        tenantId,
        {
          rule: thresholdRule("hot", 30),
          from: new Date(t0).toISOString(),
          to: new Date(t0 + 31 * 86_400_000).toISOString(), // a read per device
          devices: ["d1", "d2", "d3"],
        },
        types,
      );
      const progress: Array<number> = [];
      const exit = yield* Effect.exit(
        runBacktest(tenantId, types, plan, (p) =>
          p.devicesDone === 1 ? Effect.interrupt : Effect.sync(() => progress.push(p.devicesDone)),
        ),
      );
      assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause));
      assert.deepStrictEqual(progress, []);
    }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect("given a bad request, then it is refused with field paths", () =>
    Effect.gen(function* () {
      const inverted = yield* Effect.flip(
        planBacktest(
          tenantId,
          { rule: thresholdRule("x", 1), from: "2025-03-02T00:00:00Z", to: "2025-03-01T00:00:00Z" },
          types,
        ),
      );
      assert.strictEqual(inverted._tag === "ValidationFailed" ? inverted.errors[0]?.field : "", "from");
      const badRule = yield* Effect.flip(
        planBacktest(
          tenantId,
          {
            rule: { ...thresholdRule("x", 1), severity: "loud" },
            from: "2025-03-01T00:00:00Z",
            to: "2025-03-02T00:00:00Z",
          },
          types,
        ),
      );
      assert.deepStrictEqual(badRule._tag === "ValidationFailed" ? badRule.errors.map((e) => e.field) : [], [
        "rule.severity",
      ]);
      const enriched = yield* Effect.flip(
        planBacktest(
          tenantId,
          {
            rule: {
              ...thresholdRule("x", 1),
              condition: { type: "threshold", value: { source: "enrichment", key: "outside" }, op: ">", threshold: 1 },
            },
            from: "2025-03-01T00:00:00Z",
            to: "2025-03-02T00:00:00Z",
          },
          types,
        ),
      );
      assert.strictEqual(enriched._tag === "ValidationFailed" ? enriched.errors[0]?.field : "", "rule.condition");
    }).pipe(Effect.provide(alertRulesTestLayer())),
  );
});
