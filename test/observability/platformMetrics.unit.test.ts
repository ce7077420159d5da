/** The metric helpers plugins and core record with, read back through Effect's Metric API. */
import { assert, describe, it } from "@effect/vitest";
import { Effect, Metric } from "effect";
import { TestClock } from "effect/testing";
import {
  PlatformMetrics,
  recordCircuitState,
  recordIngestRejected,
  recordOpenAlerts,
  recordReadingsIngested,
  timeExternalSourceCall,
  trackAppend,
  trackHandling,
} from "../../core/index.ts";

// A registry per test: metrics are global otherwise.
const isolated = <A, E>(effect: Effect.Effect<A, E>) => Effect.provideService(effect, Metric.MetricRegistry, new Map());

describe("platform metrics", () => {
  it.effect("count ingested and rejected readings, by reason", () =>
    Effect.gen(function* () {
      yield* recordReadingsIngested(3);
      yield* recordReadingsIngested(0);
      yield* recordIngestRejected("invalid_payload", 2);
      yield* recordIngestRejected("unknown_device");
      assert.strictEqual((yield* Metric.value(PlatformMetrics.readingsIngested)).count, 3);
      const rejected = (reason: string) =>
        Metric.value(Metric.withAttributes(PlatformMetrics.ingestRejections, { reason }));
      assert.strictEqual((yield* rejected("invalid_payload")).count, 2);
      assert.strictEqual((yield* rejected("unknown_device")).count, 1);
    }).pipe(isolated),
  );

  it.effect("time external calls with their outcome, and publish circuit and alert gauges", () =>
    Effect.gen(function* () {
      const slow = Effect.sleep("250 millis").pipe(timeExternalSourceCall("weather"), Effect.forkChild);
      yield* slow;
      yield* TestClock.adjust("250 millis");
      yield* Effect.fail("down").pipe(timeExternalSourceCall("weather"), Effect.ignore);
      const ok = yield* Metric.value(
        Metric.withAttributes(PlatformMetrics.externalSourceDuration, { source: "weather", outcome: "ok" }),
      );
      const failed = yield* Metric.value(
        Metric.withAttributes(PlatformMetrics.externalSourceDuration, { source: "weather", outcome: "error" }),
      );
      assert.strictEqual(ok.count, 1);
      assert.strictEqual(ok.sum, 0.25);
      assert.strictEqual(failed.count, 1);

      yield* recordCircuitState("weather", "open");
      yield* recordOpenAlerts("critical", 4);
      assert.strictEqual(
        (yield* Metric.value(Metric.withAttributes(PlatformMetrics.circuitState, { source: "weather" }))).value,
        2,
      );
      assert.strictEqual(
        (yield* Metric.value(Metric.withAttributes(PlatformMetrics.openAlerts, { severity: "critical" }))).value,
        4,
      );
    }).pipe(isolated),
  );

  it.effect("record handler latency and failures per plugin, and appends per event type", () =>
    Effect.gen(function* () {
      yield* Effect.void.pipe(trackHandling("alert-rules", "TelemetryRecorded"));
      yield* Effect.fail("boom").pipe(trackHandling("alert-rules", "TelemetryRecorded"), Effect.ignore);
      const attributes = { plugin: "alert-rules", event_type: "TelemetryRecorded" };
      assert.strictEqual(
        (yield* Metric.value(Metric.withAttributes(PlatformMetrics.handlerFailures, attributes))).count,
        1,
      );
      assert.strictEqual(
        (yield* Metric.value(Metric.withAttributes(PlatformMetrics.handlerDuration, { ...attributes, outcome: "ok" })))
          .count,
        1,
      );

      yield* Effect.succeed(["A", "A", "B"]).pipe(trackAppend("appendBatch", (types) => types));
      const appended = (type: string) =>
        Metric.value(Metric.withAttributes(PlatformMetrics.eventsAppended, { event_type: type }));
      assert.strictEqual((yield* appended("A")).count, 2);
      assert.strictEqual((yield* appended("B")).count, 1);
      assert.strictEqual(
        (yield* Metric.value(Metric.withAttributes(PlatformMetrics.appendDuration, { operation: "appendBatch" })))
          .count,
        1,
      );
    }).pipe(isolated),
  );
});
