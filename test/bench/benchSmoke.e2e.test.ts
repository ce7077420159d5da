/**
 * Keeps `npm run bench` working: runs `node bench/main.ts --smoke` (one tiny run) against
 * the test environment's Kafka and MongoDB-wire server, with the report written to a
 * temporary file, and checks that every row of the table has a number or says why not.
 * No timing is asserted: this is a smoke test of the harness, not a benchmark.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rowDefinitions } from "../../bench/benchRows.ts";
import { repositoryRoot } from "../harness/platformProcess.ts";
import { testEnvironment } from "../harness/testEnvironment.ts";

interface BenchJson {
  readonly rows: ReadonlyArray<{
    readonly definition: { readonly id: string; readonly label: string };
    readonly median?: number;
    readonly reason?: string;
  }>;
}

const runBench = (args: ReadonlyArray<string>, env: Record<string, string>, timeoutMs: number) =>
  new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ["bench/main.ts", ...args], {
      cwd: repositoryRoot,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += String(chunk);
    });
    child.stderr.on("data", (chunk) => {
      output += String(chunk);
    });
    // SIGINT first: the bench stops what it started and exits; then SIGKILL.
    const timer = setTimeout(() => {
      child.kill("SIGINT");
      setTimeout(() => child.kill("SIGKILL"), 30_000).unref();
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });

/** The value cell of each row of the Markdown results table, by row label. */
const resultCells = (markdown: string): Map<string, string> => {
  const section = markdown.slice(markdown.indexOf("## Results"), markdown.indexOf("## How each row is measured"));
  const cells = new Map<string, string>();
  for (const line of section.split("\n")) {
    const parts = line.split(" | ").map((part) => part.replace(/^\|\s*/, "").trim());
    if (parts.length > 2 && parts[0] !== undefined && parts[1] !== undefined) cells.set(parts[0], parts[1]);
  }
  return cells;
};

describe("npm run bench -- --smoke", () => {
  it("given the test environment, when the bench runs in smoke mode, then every row has a number or an n/a with its reason", async () => {
    const { mongodbUri, kafkaBootstrapServers } = testEnvironment();
    const directory = await mkdtemp(join(tmpdir(), "anansky-bench-smoke-"));
    const markdownPath = join(directory, "BENCHMARKS.md");
    const jsonPath = join(directory, "bench.json");
    try {
      const { code, output } = await runBench(
        ["--smoke", "--output", markdownPath, "--json", jsonPath],
        { MONGODB_URI: mongodbUri, KAFKA_BOOTSTRAP_SERVERS: kafkaBootstrapServers },
        240_000,
      );
      expect(code, output).toBe(0);
      expect(existsSync(markdownPath), output).toBe(true);

      const report = JSON.parse(await readFile(jsonPath, "utf8")) as BenchJson;
      expect(report.rows.map((row) => row.definition.id)).toEqual(rowDefinitions.map((definition) => definition.id));
      for (const row of report.rows) {
        const explained = Number.isFinite(row.median) || (typeof row.reason === "string" && row.reason.length > 0);
        expect(explained, `${row.definition.id}: ${JSON.stringify(row)}`).toBe(true);
      }

      const markdown = await readFile(markdownPath, "utf8");
      expect(markdown).toContain("## Machine");
      expect(markdown).toMatch(/load average/);
      const cells = resultCells(markdown);
      for (const definition of rowDefinitions) {
        const cell = cells.get(definition.label);
        expect(cell, `${definition.label} missing from the table`).toBeDefined();
        expect(cell, definition.label).toMatch(/^(-?[\d,]+(\.\d)?|n\/a: .+)$/);
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }, 300_000);
});
