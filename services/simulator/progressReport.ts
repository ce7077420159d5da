/**
 * Showing a run's progress: one line rewritten in place on a terminal, or plain lines
 * (one per report) when the output goes to a file or CI log, where `\r` would garble it.
 */
import type { ProgressSnapshot } from "./loadStatistics.ts";

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/**
 * @example
 * formatProgressLine(snapshot);
 * // "12.0s  sent 12,300  accepted 12,290  rejected 10  errors 429×3  1,002/s (now 998/s)  p50 12.3ms p99 48.0ms  in flight 4  silent 3"
 */
export const formatProgressLine = (snapshot: ProgressSnapshot): string => {
  const errors = Object.entries(snapshot.errorsByStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status}×${integer.format(count)}`)
    .join(" ");
  return [
    `${oneDecimal.format(snapshot.elapsedSeconds)}s`,
    `sent ${integer.format(snapshot.readingsSent)}`,
    `accepted ${integer.format(snapshot.accepted)}`,
    `rejected ${integer.format(snapshot.rejected)}`,
    `errors ${errors === "" ? "0" : errors}`,
    `${integer.format(snapshot.ratePerSecond)}/s (now ${integer.format(snapshot.recentRatePerSecond)}/s)`,
    `p50 ${oneDecimal.format(snapshot.latencyMs.p50)}ms p99 ${oneDecimal.format(snapshot.latencyMs.p99)}ms`,
    `in flight ${snapshot.inFlight}`,
    `silent ${snapshot.silentDevices}`,
  ].join("  ");
};

/** Where progress goes: a stream that may or may not be a terminal. */
export interface ProgressOutput {
  readonly write: (text: string) => unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * @example
 * const progress = createProgressReporter(process.stderr);
 * await runSimulation({ ...options, onProgress: progress.report, onLog: progress.log });
 * progress.finish();
 */
export const createProgressReporter = (output: ProgressOutput) => {
  let lineShown = false;
  const clearLine = () => {
    if (lineShown) output.write("\r\x1b[2K");
    lineShown = false;
  };
  return {
    report: (snapshot: ProgressSnapshot): void => {
      const line = formatProgressLine(snapshot);
      if (!output.isTTY) {
        output.write(`${line}\n`);
        return;
      }
      clearLine();
      // A line wider than the terminal wraps, and `\r` would then only redraw its tail.
      const width = output.columns ?? 120;
      output.write(line.length >= width ? `${line.slice(0, width - 2)}…` : line);
      lineShown = true;
    },
    /** A message on its own line, without breaking the progress line. */
    log: (message: string): void => {
      clearLine();
      output.write(`${message}\n`);
    },
    /** Leaves the last progress line on screen and moves below it. */
    finish: (): void => {
      if (lineShown) output.write("\n");
      lineShown = false;
    },
  };
};
