/**
 * The rows of the benchmark table, their targets (issue 8), and the recorder phases
 * report into: a number per run, or the reason there is none. A row's value is the
 * median of its runs; it passes or fails against its target, or has no target.
 */
import { loadavg } from "node:os";
import { median } from "./percentiles.ts";

export interface Target {
  readonly comparison: ">=" | "<=";
  readonly value: number;
}

export interface RowDefinition {
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  readonly target?: Target;
}

const row = (id: string, label: string, unit: string, target?: Target): RowDefinition =>
  target === undefined ? { id, label, unit } : { id, label, unit, target };

/** Every row, in table order. */
export const rowDefinitions: ReadonlyArray<RowDefinition> = [
  row("raw.kafka", "Raw Kafka producer (same client, 200-byte messages, batches of 1,000)", "msg/s"),
  row("raw.bulkInsert", "Raw store insertMany (batches of 1,000 event-sized docs)", "docs/s"),
  row("raw.hono", "Raw Hono trivial route (own process, fetch client, 16 in flight)", "req/s"),
  row("ingest.batch1", "Ingest, 1 reading per request (202 + published to Kafka)", "readings/s"),
  row("ingest.batch100", "Ingest, 100 readings per request (202 + published to Kafka)", "readings/s", {
    comparison: ">=",
    value: 15_000,
  }),
  row("ingest.ratioToBulk", "Ingest batch 100 ÷ raw store insertMany", "%", { comparison: ">=", value: 50 }),
  row("latency.p50", "Ingest → AlertRaised recordedAt, p50", "ms"),
  row("latency.p95", "Ingest → AlertRaised recordedAt, p95", "ms"),
  row("latency.p99", "Ingest → AlertRaised recordedAt, p99", "ms", { comparison: "<=", value: 100 }),
  row("latency.kafkaP99", "Ingest → AlertRaised arrival on Kafka, p99", "ms"),
  row("worker.one", "Worker throughput, 1 worker process (burst drain)", "readings/s"),
  row("worker.two", "Worker throughput, 2 worker processes (burst drain)", "readings/s"),
  row("backtest", "Backtest over stored readings", "events/s", { comparison: ">=", value: 100_000 }),
  row("rss.api", "Peak RSS, api process (MODE=server)", "MB", { comparison: "<=", value: 300 }),
  row("rss.worker", "Peak RSS, worker process (MODE=consumer), largest", "MB", { comparison: "<=", value: 300 }),
  row("rss.kafka", "Peak RSS, Kafka broker (since it started)", "MB"),
  row("rss.store", "Peak RSS, MongoDB-wire server (since it started)", "MB"),
  row("rss.bench", "Peak RSS, bench driver (load generator)", "MB"),
];

interface Sample {
  readonly value: number | undefined;
  readonly reason: string | undefined;
  readonly load1: number;
  readonly note: string | undefined;
}

export interface RowResult {
  readonly definition: RowDefinition;
  readonly values: ReadonlyArray<number>;
  readonly median: number | undefined;
  /** Why there is no value (every run failed or the feature is missing). */
  readonly reason: string | undefined;
  readonly verdict: "pass" | "fail" | undefined;
  /** Median 1-minute load average when the row's runs started. */
  readonly load1: number | undefined;
  readonly notes: ReadonlyArray<string>;
}

export interface RowRecorder {
  /** Records a value for a row (the load average is taken now unless given). */
  record(id: string, value: number, options?: { readonly note?: string; readonly load1?: number }): void;
  /** Records why a row has no value in this run. */
  notAvailable(id: string, reason: string, load1?: number): void;
  /** Runs `measure` and records its value, or the error's message as the reason. */
  measure(id: string, measure: () => Promise<number | { value: number; note?: string }>): Promise<number | undefined>;
  results(): Array<RowResult>;
}

/**
 * A row's notes, each named after its run when the row has several ("run 2: …"), then
 * the reasons of the runs that failed when others gave a value.
 */
const notesOf = (rowSamples: ReadonlyArray<Sample>, hasValue: boolean): Array<string> => {
  const named = (index: number, text: string) => (rowSamples.length > 1 ? `run ${index + 1}: ${text}` : text);
  const notes = rowSamples.flatMap((sample, index) => (sample.note === undefined ? [] : [named(index, sample.note)]));
  const failures = rowSamples.flatMap((sample, index) =>
    sample.reason === undefined ? [] : [named(index, sample.reason)],
  );
  return hasValue && failures.length > 0 ? [...notes, `failed: ${failures.join("; ")}`] : notes;
};

const messageOf = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split("\n")[0]?.slice(0, 300) ?? "unknown error";

/**
 * @example
 * const rows = createRowRecorder();
 * await rows.measure("raw.kafka", async () => (await measureKafkaProducer(options)).perSecond);
 * rows.notAvailable("backtest", "POST /v1/rules/backtest answered 404: the alert-rules plugin is not loaded");
 * rows.results().find((r) => r.definition.id === "raw.kafka")?.median;
 */
export const createRowRecorder = (): RowRecorder => {
  const samples = new Map<string, Array<Sample>>();
  const known = new Set(rowDefinitions.map((definition) => definition.id));
  const add = (id: string, sample: Sample) => {
    if (!known.has(id)) throw new Error(`unknown bench row ${id}`);
    samples.set(id, [...(samples.get(id) ?? []), sample]);
  };
  const recorder: RowRecorder = {
    record: (id, value, options = {}) =>
      add(id, {
        value: Number.isFinite(value) ? value : undefined,
        reason: Number.isFinite(value) ? undefined : `not a number (${value})`,
        load1: options.load1 ?? (loadavg()[0] as number),
        note: options.note,
      }),
    notAvailable: (id, reason, load1) =>
      add(id, { value: undefined, reason, load1: load1 ?? (loadavg()[0] as number), note: undefined }),
    measure: async (id, measure) => {
      const load1 = loadavg()[0] as number;
      try {
        const measured = await measure();
        const { value, note } = typeof measured === "number" ? { value: measured, note: undefined } : measured;
        recorder.record(id, value, { load1, ...(note === undefined ? {} : { note }) });
        return value;
      } catch (error) {
        recorder.notAvailable(id, messageOf(error), load1);
        return undefined;
      }
    },
    results: () =>
      rowDefinitions.map((definition) => {
        const rowSamples = samples.get(definition.id) ?? [];
        const values = rowSamples.flatMap((sample) => (sample.value === undefined ? [] : [sample.value]));
        const middle = median(values);
        const reasons = [
          ...new Set(rowSamples.flatMap((sample) => (sample.reason === undefined ? [] : [sample.reason]))),
        ];
        const target = definition.target;
        const verdict =
          middle === undefined || target === undefined
            ? undefined
            : (target.comparison === ">=" ? middle >= target.value : middle <= target.value)
              ? "pass"
              : "fail";
        return {
          definition,
          values,
          median: middle,
          reason: middle !== undefined ? undefined : reasons.join("; ") || "not measured",
          verdict,
          load1: median(rowSamples.map((sample) => sample.load1)),
          notes: notesOf(rowSamples, middle !== undefined),
        };
      }),
  };
  return recorder;
};
