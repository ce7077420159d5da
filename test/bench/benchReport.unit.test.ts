/**
 * The bench's pure parts: order statistics, the command line, the row recorder's
 * medians, verdicts and n/a reasons, the report's table and kept notes, and how CPU
 * profile frames are grouped into areas.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BenchUsageError, parseBenchArguments } from "../../bench/benchOptions.ts";
import { consoleTable, keptNotes, keptNotesMarker, markdownReport } from "../../bench/benchReport.ts";
import { createRowRecorder, rowDefinitions } from "../../bench/benchRows.ts";
import { areaOf } from "../../bench/cpuProfileSummary.ts";
import type { MachineDescription } from "../../bench/machineDescription.ts";
import { median, percentile } from "../../bench/percentiles.ts";

const machine: MachineDescription = {
  date: "2026-01-01T00:00:00.000Z",
  cores: 2,
  cpuModel: "test CPU",
  memoryGiB: 4,
  loadAtStart: [1, 2, 3],
  loadAtEnd: [3, 2, 1],
  node: "v24.0.0",
  kafka: "Kafka 4.1.2",
  kafkaClient: "librdkafka 2.15.1",
  store: "FerretDB v1.24.2, SQLite backend",
};

describe("percentiles", () => {
  it("given samples, then percentile takes the nearest rank and median the middle", () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 99)).toBe(5);
    expect(percentile([], 50)).toBeUndefined();
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });
});

describe("parseBenchArguments", () => {
  it("given --smoke, then one run; given nothing, three; given --help, help", () => {
    expect(parseBenchArguments(["--smoke"])).toMatchObject({ kind: "run", options: { smoke: true, runs: 1 } });
    expect(parseBenchArguments([])).toMatchObject({ kind: "run", options: { runs: 3, outputPath: "BENCHMARKS.md" } });
    expect(parseBenchArguments(["-h"])).toEqual({ kind: "help" });
  });

  it("given a bad value or an unknown flag, then a usage error", () => {
    expect(() => parseBenchArguments(["--runs", "0"])).toThrow(BenchUsageError);
    expect(() => parseBenchArguments(["--runs", "two"])).toThrow(BenchUsageError);
    expect(() => parseBenchArguments(["--fast"])).toThrow(BenchUsageError);
  });
});

describe("createRowRecorder", () => {
  it("given runs with values, then the median and the verdict against the target", () => {
    const rows = createRowRecorder();
    for (const value of [14_000, 16_000, 15_500]) rows.record("ingest.batch100", value, { load1: 1 });
    rows.record("latency.p99", 250, { load1: 2 });
    const results = rows.results();
    expect(results.find((row) => row.definition.id === "ingest.batch100")).toMatchObject({
      median: 15_500,
      verdict: "pass",
      load1: 1,
    });
    expect(results.find((row) => row.definition.id === "latency.p99")).toMatchObject({ median: 250, verdict: "fail" });
  });

  it("given a failure, then the row says n/a with the reason; given nothing, 'not measured'", async () => {
    const rows = createRowRecorder();
    rows.notAvailable("backtest", "the alert-rules plugin is not loaded");
    await rows.measure("raw.kafka", async () => {
      throw new Error("no broker answered\nstack…");
    });
    const byId = new Map(rows.results().map((row) => [row.definition.id, row]));
    expect(byId.get("backtest")).toMatchObject({ median: undefined, reason: "the alert-rules plugin is not loaded" });
    expect(byId.get("raw.kafka")?.reason).toBe("no broker answered");
    expect(byId.get("raw.hono")?.reason).toBe("not measured");
    expect(() => rows.record("no.such.row", 1)).toThrow(/unknown bench row/);
  });
});

describe("markdownReport", () => {
  it("given results, then every row is in the table, n/a rows with their reason, and hand-written notes are kept", async () => {
    const rows = createRowRecorder();
    rows.record("raw.kafka", 123_456.7);
    rows.notAvailable("backtest", "not loaded");
    const directory = await mkdtemp(join(tmpdir(), "bench-report-"));
    try {
      const path = join(directory, "BENCHMARKS.md");
      await writeFile(path, `# old\n\n${keptNotesMarker}\n\n## Reading the numbers\nkept text\n`);
      const report = { machine, mode: "smoke", runs: 1, rows: rows.results(), profiles: [], durationSeconds: 5 };
      const markdown = markdownReport(report, keptNotes(path));
      for (const definition of rowDefinitions) expect(markdown).toContain(`| ${definition.label} |`);
      expect(markdown).toContain("| 123,457 |");
      expect(markdown).toContain("n/a: not loaded");
      expect(markdown).toContain("kept text");
      expect(markdown).not.toContain("# old");
      expect(consoleTable(report.rows).split("\n")).toHaveLength(rowDefinitions.length + 1);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe("areaOf", () => {
  it("given script URLs, then the package, the repository folder or Node's internals", () => {
    expect(areaOf("file:///w/node_modules/effect/dist/Effect.js")).toBe("effect");
    expect(areaOf("file:///w/node_modules/@confluentinc/kafka-javascript/lib/producer.js")).toBe(
      "@confluentinc/kafka-javascript",
    );
    expect(areaOf("file:///w/core/store/EventStoreMongo.ts")).toBe("core/store");
    expect(areaOf("node:internal/streams/readable")).toBe("node internals");
    expect(areaOf("", "(garbage collector)")).toBe("(garbage collector)");
  });
});
