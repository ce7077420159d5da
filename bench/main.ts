/**
 * `npm run bench` (`node bench/main.ts [--smoke] [--runs N] [--output PATH] [--json PATH]
 * [--cpu-profile DIR]`): starts what it needs, measures, prints the table and writes
 * BENCHMARKS.md. Exit 0 when the report was written (targets may still fail: this is a
 * benchmark, not a test), 1 when the bench could not run, 2 on a usage error, 130 on Ctrl-C.
 *
 * @example
 * node bench/main.ts --smoke --output /tmp/bench.md --json /tmp/bench.json
 */
import { writeFileSync } from "node:fs";
import { BenchUsageError, benchUsage, parseBenchArguments } from "./benchOptions.ts";
import { consoleTable, keptNotes, markdownReport } from "./benchReport.ts";
import { onInterrupt } from "./childProcesses.ts";
import { benchCleanup, runBench } from "./runBench.ts";

const main = async (): Promise<number> => {
  let command: ReturnType<typeof parseBenchArguments>;
  try {
    command = parseBenchArguments(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${benchUsage}\n`);
    return 2;
  }
  if (command.kind === "help") {
    process.stdout.write(`${benchUsage}\n`);
    return 0;
  }
  const { options } = command;
  onInterrupt(() => benchCleanup.run());
  const log = (message: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
  try {
    const report = await runBench(options, log);
    process.stdout.write(consoleTable(report.rows));
    writeFileSync(options.outputPath, markdownReport(report, keptNotes(options.outputPath)));
    log(`bench: wrote ${options.outputPath}`);
    if (options.jsonPath !== undefined) {
      writeFileSync(options.jsonPath, `${JSON.stringify(report, null, 2)}\n`);
      log(`bench: wrote ${options.jsonPath}`);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
};

process.exitCode = await main();
// Idle keep-alive sockets and client handles must not hold the process open.
process.stdout.write("", () => process.exit());
