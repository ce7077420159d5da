/**
 * `node services/simulator/main.ts --devices 50 --rate 1000 --duration 60 --batch 100`:
 * simulated devices sending telemetry to an Anansky API (see cliOptions.ts for flags).
 *
 * Progress goes to stderr, the final JSON summary to stdout (`--json`: only that).
 * Exit 0 when the run completes, 1 on a fatal error (bad setup, API unreachable),
 * 2 on a usage error, 130 when interrupted (the summary is still printed).
 */
import { CliUsageError, cliUsage, parseCliArguments } from "./cliOptions.ts";
import { createProgressReporter } from "./progressReport.ts";
import { InvalidSimulationOptions, runSimulation, type SimulationSummary } from "./runSimulation.ts";

const exitCodes = { completed: 0, failed: 1, usage: 2, interrupted: 130 } as const;

const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

const main = async (): Promise<number> => {
  let command: ReturnType<typeof parseCliArguments>;
  try {
    command = parseCliArguments(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${cliUsage}\n`);
    return exitCodes.usage;
  }
  if (command.kind === "help") {
    process.stdout.write(`${cliUsage}\n`);
    return 0;
  }

  // First Ctrl-C: stop sending, wait for requests in flight, print the summary. Second: quit.
  const interrupt = new AbortController();
  process.on("SIGINT", () => {
    if (interrupt.signal.aborted) process.exit(exitCodes.interrupted);
    interrupt.abort();
  });

  const progress = command.json ? undefined : createProgressReporter(process.stderr);
  let summary: SimulationSummary;
  try {
    summary = await runSimulation({
      ...command.options,
      signal: interrupt.signal,
      onProgress: progress?.report,
      onLog: progress?.log,
      progressIntervalMs: process.stderr.isTTY ? 500 : 5000,
    });
  } catch (error) {
    progress?.finish();
    const message = error instanceof Error ? error.message : String(error);
    if (command.json) printJson({ outcome: "failed", error: message });
    else process.stderr.write(`simulator: ${message}\n`);
    return error instanceof InvalidSimulationOptions ? exitCodes.usage : exitCodes.failed;
  }
  progress?.finish();
  if (summary.hint !== undefined) progress?.log(`hint: ${summary.hint}`);
  if (summary.error !== undefined) progress?.log(`simulator: ${summary.error}`);
  printJson(summary);
  return exitCodes[summary.outcome];
};

process.exitCode = await main();
// Idle keep-alive sockets must not hold the process open once the summary is out.
process.stdout.write("", () => process.exit());
