/**
 * The bench's output: a plain-text table for the terminal and BENCHMARKS.md (machine,
 * results with targets, how each row is measured, where the time goes). Notes written by
 * hand below the marker line of an existing BENCHMARKS.md are kept when it is rewritten.
 */
import { existsSync, readFileSync } from "node:fs";
import type { RowResult } from "./benchRows.ts";
import type { ProfileResult } from "./cpuProfilePhase.ts";
import type { MachineDescription } from "./machineDescription.ts";
import { measurementMethods } from "./measurementMethods.ts";

export const keptNotesMarker =
  "<!-- Hand-written notes below this line are kept when `npm run bench` rewrites this file. -->";

export interface BenchReport {
  readonly machine: MachineDescription;
  readonly mode: string;
  readonly runs: number;
  readonly rows: ReadonlyArray<RowResult>;
  readonly profiles: ReadonlyArray<ProfileResult>;
  readonly durationSeconds: number;
}

/**
 * @example
 * formatNumber(15234.7); // "15,235"
 * formatNumber(42.345); // "42.3"
 */
export const formatNumber = (value: number): string =>
  Math.abs(value) >= 100
    ? Math.round(value).toLocaleString("en-US")
    : (Math.round(value * 10) / 10).toLocaleString("en-US", { maximumFractionDigits: 1 });

/** The value cell: the median, or "n/a: <reason>". */
export const valueCell = (row: RowResult): string =>
  row.median === undefined ? `n/a: ${row.reason ?? "not measured"}` : formatNumber(row.median);

const targetCell = (row: RowResult): string =>
  row.definition.target === undefined
    ? "–"
    : `${row.definition.target.comparison === ">=" ? "≥" : "≤"} ${formatNumber(row.definition.target.value)}`;

const verdictCell = (row: RowResult): string =>
  row.verdict === "pass"
    ? "pass"
    : row.verdict === "fail"
      ? "**fail**"
      : row.definition.target === undefined
        ? ""
        : "n/a";

const escapeCell = (text: string): string => text.replaceAll("|", "\\|").replaceAll("\n", " ");

/**
 * The terminal table: one line per row.
 *
 * @example
 * process.stdout.write(consoleTable(report.rows));
 */
export const consoleTable = (rows: ReadonlyArray<RowResult>): string => {
  const lines = rows.map((row) => [
    row.definition.label,
    valueCell(row),
    row.definition.unit,
    targetCell(row),
    row.verdict ?? "",
    row.load1 === undefined ? "" : `load ${row.load1.toFixed(1)}`,
  ]);
  const widths = [0, 1, 2, 3, 4].map((column) =>
    Math.min(column === 1 ? 60 : 80, Math.max(...lines.map((line) => (line[column] ?? "").length))),
  );
  return `${lines
    .map((line) => line.map((cell, column) => (column < 5 ? cell.padEnd(widths[column] ?? 0) : cell)).join("  "))
    .join("\n")}\n`;
};

const profileSection = (profiles: ReadonlyArray<ProfileResult>): Array<string> => {
  if (profiles.length === 0) {
    return [
      "Not profiled in this run: `npm run bench -- --cpu-profile <dir>` adds the api and worker profiles here.",
      "",
    ];
  }
  return profiles.flatMap((profile) => {
    if (profile.summary === undefined) return [`**${profile.role}**: ${profile.problem ?? "no profile"}`, ""];
    const { summary } = profile;
    return [
      `**${profile.role}** (${profile.load}): busy ${formatNumber(summary.busyMs)} ms of ${formatNumber(summary.busyMs + summary.idleMs)} ms sampled (${Math.round((100 * summary.busyMs) / Math.max(1, summary.busyMs + summary.idleMs))}%; the rest idle, waiting on I/O). Profile: \`${profile.file}\`.`,
      "",
      "| self time by area | ms | % of busy |",
      "| --- | ---: | ---: |",
      ...summary.areas
        .slice(0, 10)
        .map((area) => `| ${escapeCell(area.name)} | ${formatNumber(area.selfMs)} | ${area.percent} |`),
      "",
      "| top self-time functions | ms | % of busy |",
      "| --- | ---: | ---: |",
      ...summary.functions.map((fn) => `| \`${escapeCell(fn.name)}\` | ${formatNumber(fn.selfMs)} | ${fn.percent} |`),
      "",
    ];
  });
};

/**
 * The hand-written part of an existing report (from the marker on), or just the marker.
 *
 * @example
 * keptNotes("BENCHMARKS.md"); // "<!-- Hand-written notes … -->\n\n## Reading the numbers\n…"
 */
export const keptNotes = (path: string): string => {
  const existing = existsSync(path) ? readFileSync(path, "utf8") : "";
  const at = existing.indexOf(keptNotesMarker);
  return at === -1 ? `${keptNotesMarker}\n` : existing.slice(at);
};

/**
 * @example
 * writeFileSync("BENCHMARKS.md", markdownReport(report, keptNotes("BENCHMARKS.md")));
 */
export const markdownReport = (report: BenchReport, notes: string): string => {
  const { machine } = report;
  const load = (values: ReadonlyArray<number> | undefined) => (values === undefined ? "?" : values.join(" / "));
  return [
    "# Benchmarks",
    "",
    `Written by \`npm run bench\` (\`node bench/main.ts\`) on ${machine.date}: ${report.mode}, ${report.runs} run(s) per row,`,
    `each value the median of its runs; the whole bench took ${Math.round(report.durationSeconds)} s. Targets are issue 8's.`,
    "",
    "## Machine",
    "",
    "| | |",
    "| --- | --- |",
    `| CPU | ${machine.cores} cores, ${machine.cpuModel} |`,
    `| memory | ${machine.memoryGiB} GiB |`,
    `| load average (1 / 5 / 15 min) | at start ${load(machine.loadAtStart)}, at end ${load(machine.loadAtEnd)} |`,
    `| Node | ${machine.node} |`,
    `| Kafka | ${machine.kafka} |`,
    `| Kafka client | ${machine.kafkaClient} |`,
    `| store in use | ${machine.store} |`,
    "",
    "Broker, store, platform processes and the load generator share the machine, and other",
    "work on it shows in the load average (the load column is the 1-minute average when the row's runs started).",
    "",
    "## Results",
    "",
    "| measurement | median | unit | target | result | runs | load (1 min) | notes |",
    "| --- | ---: | --- | --- | --- | --- | ---: | --- |",
    ...report.rows.map((row) =>
      [
        "",
        escapeCell(row.definition.label),
        escapeCell(valueCell(row)),
        row.definition.unit,
        targetCell(row),
        verdictCell(row),
        row.values.map(formatNumber).join(", "),
        row.load1 === undefined ? "" : row.load1.toFixed(1),
        escapeCell(row.notes.join("; ")),
        "",
      ]
        .join(" | ")
        .trim(),
    ),
    "",
    "## How each row is measured",
    "",
    ...measurementMethods,
    "",
    "## Where the time goes",
    "",
    ...profileSection(report.profiles),
    notes.trimEnd(),
    "",
  ].join("\n");
};
