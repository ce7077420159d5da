/**
 * Evaluating readings against rules, with memory layers: alerts rise and resolve once,
 * redelivery and crashes between commit and append change nothing, late deliveries are
 * folded in stream order, rule changes end open alerts.
 */
import { assert, describe, it } from "@effect/vitest";
import { Effect, Option } from "effect";
import { type EventEnvelope, EventStore, EventWriter, ReadModelStore } from "../../core/index.ts";
import { loadSnapshot } from "../../plugins/alert-rules/evaluationState.ts";
import { evaluateReading, evaluateReadings } from "../../plugins/alert-rules/readingEvaluation.ts";
import { updateRule } from "../../plugins/alert-rules/ruleCommands.ts";
import { ruleStreamId } from "../../plugins/alert-rules/ruleEvents.ts";
import { closeAlertsOfRule } from "../../plugins/alert-rules/ruleLifecycle.ts";
import { type ReadingInput, readingOf } from "../../plugins/alert-rules/telemetryInputs.ts";
import { enrichedStreamId, TelemetryEnriched } from "../../plugins/external-source/index.ts";
import {
  alertHistory,
  alertRulesTestLayer,
  decodeEnriched,
  decodeRecorded,
  givenReading,
  givenRule,
  lookup,
  streamEvents,
  tenantId,
  thresholdRule,
  types,
} from "./alertRulesTestLayer.ts";

const t0 = Date.parse("2025-03-01T10:00:00Z");

describe("evaluating readings", () => {
  it.effect("given a threshold rule, when temp crosses and falls back, then one alert rises and resolves", () =>
    Effect.gen(function* () {
      yield* givenRule(thresholdRule("hot", 30));
      const deps = { lookup: lookup(), types, decode: decodeRecorded };
      for (const [i, temp] of [20, 31, 35, 25, 22].entries()) {
        yield* evaluateReading(yield* givenReading("pump-1", t0 + i * 1000, { temp }), deps);
      }
      const history = yield* alertHistory("hot", "pump-1");
      assert.deepStrictEqual(
        history.map((e) => e.type),
        ["AlertRaised", "AlertResolved"],
      );
      const [raised, resolved] = history;
      assert.strictEqual(raised?.payload.value, 31);
      assert.strictEqual(raised?.payload.at, new Date(t0 + 1000).toISOString());
      assert.strictEqual(resolved?.payload.alertId, raised?.payload.alertId);
      assert.strictEqual(resolved?.payload.peak, 35);
      assert.strictEqual(resolved?.payload.reason, "cleared");
    }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect("given a reading evaluated once, when it is delivered again, then nothing changes", () =>
    Effect.gen(function* () {
      yield* givenRule(thresholdRule("hot", 30));
      const deps = { lookup: lookup(), types, decode: decodeRecorded };
      const hot = yield* givenReading("pump-1", t0, { temp: 40 });
      yield* evaluateReading(hot, deps);
      const before = Option.getOrThrow(yield* loadSnapshot(tenantId, "hot", "pump-1"));
      yield* evaluateReading(hot, deps);
      yield* evaluateReading(hot, deps);
      const after = Option.getOrThrow(yield* loadSnapshot(tenantId, "hot", "pump-1"));
      assert.strictEqual(after.revision, before.revision);
      assert.deepStrictEqual(
        (yield* alertHistory("hot", "pump-1")).map((e) => e.type),
        ["AlertRaised"],
      );
    }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect(
    "given a crash after the commit and before the append, when the reading is redelivered, then the alert is appended once",
    () =>
      Effect.gen(function* () {
        yield* givenRule(thresholdRule("hot", 30));
        const deps = { lookup: lookup(), types, decode: decodeRecorded };
        const hot = yield* givenReading("pump-1", t0, { temp: 40 });
        // The process dies when it appends: the revision is committed with its pending event.
        const crashed = yield* Effect.exit(
          evaluateReading(hot, deps).pipe(Effect.provideService(EventWriter, crashingWriter)),
        );
        assert.isTrue(crashed._tag === "Failure");
        const committed = Option.getOrThrow(yield* loadSnapshot(tenantId, "hot", "pump-1"));
        assert.strictEqual(committed.pending.length, 1);
        assert.deepStrictEqual(yield* alertHistory("hot", "pump-1"), []);

        yield* evaluateReading(hot, deps);
        yield* evaluateReading(hot, deps);
        assert.deepStrictEqual(
          (yield* alertHistory("hot", "pump-1")).map((e) => e.type),
          ["AlertRaised"],
        );
        assert.strictEqual(Option.getOrThrow(yield* loadSnapshot(tenantId, "hot", "pump-1")).pending.length, 0);
      }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect(
    "given a run of readings, when evaluated at once, then it commits once and decides the same alerts as one by one",
    () =>
      Effect.gen(function* () {
        const temps = [20, 31, 35, 25, 22, 33];
        yield* givenRule(thresholdRule("hot", 30));
        const deps = { lookup: lookup(), types, decode: decodeRecorded };
        for (const [i, temp] of temps.entries()) {
          yield* evaluateReading(yield* givenReading("pump-1", t0 + i * 1000, { temp }), deps);
        }
        const run: Array<ReadingInput> = [];
        for (const [i, temp] of temps.entries()) run.push(yield* givenReading("pump-2", t0 + i * 1000, { temp }));
        yield* evaluateReadings(run, deps);

        const decided = (events: ReadonlyArray<{ type: string; payload: Record<string, unknown> }>) =>
          events.map((e) => [e.type, e.payload.at, e.payload.value ?? e.payload.reason]);
        const atOnce = decided(yield* alertHistory("hot", "pump-2"));
        assert.deepStrictEqual(atOnce, decided(yield* alertHistory("hot", "pump-1")));
        assert.deepStrictEqual(
          atOnce.map(([type]) => type),
          ["AlertRaised", "AlertResolved", "AlertRaised"],
        );
        const oneByOne = Option.getOrThrow(yield* loadSnapshot(tenantId, "hot", "pump-1"));
        const snapshot = Option.getOrThrow(yield* loadSnapshot(tenantId, "hot", "pump-2"));
        // One evaluation commit (revision 1, with the alert events) and the commit that marks them appended.
        assert.strictEqual(snapshot.revision, 2);
        assert.isAbove(oneByOne.revision, snapshot.revision);
        assert.strictEqual(snapshot.positions[0]?.version, temps.length);
      }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect(
    "given a run redelivered with its head already applied and a gap before it, then only new readings are folded, in stream order",
    () =>
      Effect.gen(function* () {
        yield* givenRule(thresholdRule("hot", 30));
        const deps = { lookup: lookup(), types, decode: decodeRecorded };
        const readings: Array<ReadingInput> = [];
        for (const [i, temp] of [20, 31, 25, 35, 22].entries())
          readings.push(yield* givenReading("pump-1", t0 + i * 1000, { temp }));
        const [r1, r2, r3, r4, r5] = readings as [ReadingInput, ReadingInput, ReadingInput, ReadingInput, ReadingInput];
        yield* evaluateReadings([r1, r2], deps);
        // r3 never arrives in this run: it is read from the store before r4.
        yield* evaluateReadings([r1, r2, r4, r5], deps);
        const history = yield* alertHistory("hot", "pump-1");
        assert.deepStrictEqual(
          history.map((e) => [e.type, e.payload.at]),
          [
            ["AlertRaised", new Date(r2.ts).toISOString()],
            ["AlertResolved", new Date(r3.ts).toISOString()],
            ["AlertRaised", new Date(r4.ts).toISOString()],
            ["AlertResolved", new Date(r5.ts).toISOString()],
          ],
        );
      }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect(
    "given readings delivered out of order, when the later one arrives first, then the earlier is folded in first from the store",
    () =>
      Effect.gen(function* () {
        yield* givenRule({
          ...thresholdRule("rising", 0),
          condition: {
            type: "rateOfChange",
            value: { source: "reading", key: "temp" },
            windowSeconds: 10,
            op: ">",
            perSecond: 1,
          },
        });
        const deps = { lookup: lookup(), types, decode: decodeRecorded };
        const first = yield* givenReading("pump-1", t0, { temp: 10 });
        const second = yield* givenReading("pump-1", t0 + 1000, { temp: 10 });
        const third = yield* givenReading("pump-1", t0 + 2000, { temp: 20 });
        yield* evaluateReading(first, deps);
        yield* evaluateReading(third, deps); // the second was published late
        yield* evaluateReading(second, deps);
        const snapshot = Option.getOrThrow(yield* loadSnapshot(tenantId, "rising", "pump-1"));
        assert.strictEqual(snapshot.positions[0]?.version, 3);
        const raised = (yield* alertHistory("rising", "pump-1")).filter((e) => e.type === "AlertRaised");
        assert.strictEqual(raised.length, 1);
        assert.strictEqual(raised[0]?.payload.at, new Date(t0 + 2000).toISOString());
      }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect(
    "given an open alert, when the rule is updated, then it resolves as ruleChanged and the state starts afresh",
    () =>
      Effect.gen(function* () {
        const rule = yield* givenRule(thresholdRule("hot", 30));
        const deps = { lookup: lookup(), types, decode: decodeRecorded };
        yield* evaluateReading(yield* givenReading("pump-1", t0, { temp: 40 }), deps);
        yield* updateRule(tenantId, "hot", thresholdRule("hot", 50), rule.version, types);
        const [updated] = (yield* streamEvents(ruleStreamId(tenantId, "hot"))).slice(-1);
        yield* closeAlertsOfRule(updated as never, "hot");
        yield* closeAlertsOfRule(updated as never, "hot"); // redelivered: nothing more
        yield* evaluateReading(yield* givenReading("pump-1", t0 + 1000, { temp: 45 }), deps);
        yield* evaluateReading(yield* givenReading("pump-1", t0 + 2000, { temp: 55 }), deps);
        const history = yield* alertHistory("hot", "pump-1");
        assert.deepStrictEqual(
          history.map((e) => [e.type, e.payload.reason ?? e.payload.value]),
          [
            ["AlertRaised", 40],
            ["AlertResolved", "ruleChanged"],
            ["AlertRaised", 55],
          ],
        );
      }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect(
    "given a rule comparing a reading with an enrichment value, then only the enriched copy of each reading is evaluated",
    () =>
      Effect.gen(function* () {
        yield* givenRule({
          ...thresholdRule("warmer-inside", 0),
          condition: {
            type: "compare",
            left: { source: "reading", key: "temp" },
            op: ">",
            right: { source: "enrichment", key: "outside_temp" },
          },
        });
        const recorded = { lookup: lookup(), types, decode: decodeRecorded };
        const enriched = { lookup: lookup(), types, decode: decodeEnriched };
        const first = yield* givenReading("pump-1", t0, { temp: 20 });
        yield* evaluateReading(first, recorded);
        yield* evaluateReading(yield* givenEnriched(first, { outside_temp: 25 }), enriched);
        const second = yield* givenReading("pump-1", t0 + 1000, { temp: 30 });
        yield* evaluateReading(second, recorded);
        assert.deepStrictEqual(yield* alertHistory("warmer-inside", "pump-1"), []);
        yield* evaluateReading(yield* givenEnriched(second, { outside_temp: 25 }), enriched);
        const history = yield* alertHistory("warmer-inside", "pump-1");
        assert.deepStrictEqual(
          history.map((e) => [e.type, e.payload.value]),
          [["AlertRaised", 30]],
        );
      }).pipe(Effect.provide(alertRulesTestLayer())),
  );

  it.effect(
    "given a tag-scoped rule, when devices with and without the tag send, then only the tagged one is evaluated",
    () =>
      Effect.gen(function* () {
        yield* givenRule({ ...thresholdRule("hot-pumps", 30), scope: { tag: "pump" } });
        const store = yield* ReadModelStore;
        yield* store.writeMany("rm_devices", [
          { id: `${tenantId}|pump-1`, doc: { tenantId, deviceId: "pump-1", tags: ["pump"] } },
          { id: `${tenantId}|fan-1`, doc: { tenantId, deviceId: "fan-1", tags: ["fan"] } },
        ]);
        const deps = { lookup: lookup(), types, decode: decodeRecorded };
        yield* evaluateReading(yield* givenReading("pump-1", t0, { temp: 40 }), deps);
        yield* evaluateReading(yield* givenReading("fan-1", t0, { temp: 40 }), deps);
        assert.strictEqual((yield* alertHistory("hot-pumps", "pump-1")).length, 1);
        assert.strictEqual((yield* alertHistory("hot-pumps", "fan-1")).length, 0);
      }).pipe(Effect.provide(alertRulesTestLayer())),
  );
});

const givenEnriched = (reading: ReadingInput, enrichment: Record<string, number>) =>
  Effect.gen(function* () {
    const store = yield* EventStore;
    const { deviceId, values } = reading;
    const ts = new Date(reading.ts).toISOString();
    const [stored] = yield* store.appendToStream(enrichedStreamId(tenantId, deviceId), "any", [
      TelemetryEnriched.make(
        {
          deviceId,
          ts,
          values,
          enrichment,
          enrichmentStatus: "complete",
          sources: [],
          fetchedAt: ts,
          sourceEventId: reading.cause.id,
        },
        { tenantId, causedBy: reading.cause, idempotencyKey: "enriched" },
      ),
    ]);
    return readingOf(yield* TelemetryEnriched.decode(stored as EventEnvelope), "enriched");
  });

const crashingWriter = EventWriter.of({
  append: () => Effect.die(new Error("process killed")),
  appendBatch: () => Effect.die(new Error("process killed")),
});
