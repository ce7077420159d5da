// Counting outcomes, latency percentiles, and the progress line.
import { assert, describe, it } from "@effect/vitest";
import { createLatencyHistogram, createLoadStatistics } from "./loadStatistics.ts";
import { createProgressReporter, formatProgressLine } from "./progressReport.ts";

describe("latency histogram", () => {
  it("gives percentiles within 1% of the exact ones", () => {
    const histogram = createLatencyHistogram();
    for (let ms = 1; ms <= 1000; ms++) histogram.record(ms);
    for (const [percent, exact] of [
      [50, 500],
      [90, 900],
      [99, 990],
    ] as const) {
      const estimate = histogram.percentile(percent);
      assert.isBelow(Math.abs(estimate - exact) / exact, 0.01, `p${percent}=${estimate}`);
    }
    assert.strictEqual(histogram.percentile(100), 1000);
    assert.strictEqual(histogram.count(), 1000);
    assert.strictEqual(histogram.mean(), 500.5);
  });

  it("is 0 when empty and never above the largest sample", () => {
    const histogram = createLatencyHistogram();
    assert.strictEqual(histogram.percentile(99), 0);
    histogram.record(0.001);
    histogram.record(7.3);
    assert.strictEqual(histogram.percentile(99), 7.3);
  });
});

describe("load statistics", () => {
  it("counts readings by verdict and failed requests by status", () => {
    const statistics = createLoadStatistics();
    statistics.record({ status: 202, latencyMs: 10, accepted: 98, rejected: 2 }, 100);
    statistics.record({ status: 400, latencyMs: 5, accepted: 0, rejected: 100 }, 100);
    statistics.record({ status: 429, latencyMs: 1, accepted: 0, rejected: 0 }, 100);
    statistics.record({ status: "timeout", latencyMs: 10_000, accepted: 0, rejected: 0 }, 100);
    const snapshot = statistics.snapshot({ elapsedMs: 2000, inFlight: 1, silentDevices: 0 });
    assert.strictEqual(snapshot.requests, 4);
    assert.strictEqual(snapshot.readingsSent, 400);
    assert.strictEqual(snapshot.accepted, 98);
    assert.strictEqual(snapshot.rejected, 102);
    assert.strictEqual(snapshot.failedReadings, 200);
    assert.deepStrictEqual(snapshot.errorsByStatus, { 400: 1, 429: 1, timeout: 1 });
    assert.strictEqual(snapshot.ratePerSecond, 200);
    assert.strictEqual(snapshot.acceptedPerSecond, 49);
  });

  it("reports the recent rate since the previous snapshot", () => {
    const statistics = createLoadStatistics();
    statistics.record({ status: 202, latencyMs: 1, accepted: 100, rejected: 0 }, 100);
    statistics.snapshot({ elapsedMs: 1000, inFlight: 0, silentDevices: 0 });
    for (let i = 0; i < 3; i++) statistics.record({ status: 202, latencyMs: 1, accepted: 100, rejected: 0 }, 100);
    const snapshot = statistics.snapshot({ elapsedMs: 2000, inFlight: 0, silentDevices: 0 });
    assert.strictEqual(snapshot.recentRatePerSecond, 300);
    assert.strictEqual(snapshot.ratePerSecond, 200);
  });

  it("tracks requests in a row that found nothing listening, reset by any answer", () => {
    const statistics = createLoadStatistics();
    const unreachable = { status: "network", latencyMs: 1, accepted: 0, rejected: 0 } as const;
    statistics.record(unreachable, 1);
    statistics.record(unreachable, 1);
    assert.strictEqual(statistics.consecutiveUnreachable(), 2);
    statistics.record({ status: 503, latencyMs: 1, accepted: 0, rejected: 0 }, 1);
    assert.strictEqual(statistics.consecutiveUnreachable(), 0);
  });
});

describe("progress report", () => {
  const statistics = createLoadStatistics();
  statistics.record({ status: 202, latencyMs: 12, accepted: 12_290, rejected: 10 }, 12_300);
  statistics.record({ status: 429, latencyMs: 40, accepted: 0, rejected: 0 }, 100);
  const snapshot = statistics.snapshot({ elapsedMs: 12_000, inFlight: 4, silentDevices: 3 });

  it("shows sent, accepted, rejected, errors by status, rate and latency on one line", () => {
    const line = formatProgressLine(snapshot);
    for (const part of ["12.0s", "sent 12,400", "accepted 12,290", "rejected 10", "errors 429×1", "/s", "p50", "p99"]) {
      assert.include(line, part);
    }
    assert.notInclude(line, "\n");
  });

  it("rewrites one line in place on a terminal and prints plain lines elsewhere", () => {
    const terminal: Array<string> = [];
    const onTerminal = createProgressReporter({ isTTY: true, columns: 300, write: (text) => terminal.push(text) });
    onTerminal.report(snapshot);
    onTerminal.report(snapshot);
    onTerminal.finish();
    assert.strictEqual(terminal.filter((text) => text.includes("\n")).length, 1);
    assert.isTrue(terminal.some((text) => text.startsWith("\r")));

    const file: Array<string> = [];
    const toFile = createProgressReporter({ isTTY: false, write: (text) => file.push(text) });
    toFile.report(snapshot);
    toFile.report(snapshot);
    toFile.finish();
    assert.strictEqual(file.length, 2);
    assert.isTrue(file.every((text) => text.endsWith("\n") && !text.includes("\r")));
  });
});
