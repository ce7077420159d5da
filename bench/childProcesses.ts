/**
 * Every process the bench starts goes through here, so each one is stopped by its pid:
 * at the end of its phase, on Ctrl-C, and (SIGKILL) if the bench itself exits early.
 */
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";

const running = new Set<ChildProcess>();

process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * `spawn`, with the child remembered until it exits.
 *
 * @example
 * const child = spawnTracked(process.execPath, ["bench/trivialHonoServer.ts"], { stdio: ["ignore", "pipe", "pipe"] });
 */
export const spawnTracked = (command: string, args: ReadonlyArray<string>, options: SpawnOptions): ChildProcess => {
  const child = spawn(command, [...args], options);
  running.add(child);
  child.once("exit", () => running.delete(child));
  return child;
};

const hasExited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

/**
 * SIGTERM (a graceful stop: the platform flushes and writes its CPU profile), then SIGKILL
 * after `graceMs`. Resolves with the exit code (null when killed by a signal).
 *
 * @example
 * const code = await stopChild(child);
 */
export const stopChild = async (child: ChildProcess, graceMs = 15_000): Promise<number | null> => {
  if (hasExited(child)) return child.exitCode;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  const [code] = (await exited) as [number | null];
  clearTimeout(timer);
  return code;
};

/**
 * Stops every child still running, all at once (each by its own pid).
 *
 * @example
 * await stopAllChildren();
 */
export const stopAllChildren = async (graceMs = 10_000): Promise<void> => {
  await Promise.all([...running].map((child) => stopChild(child, graceMs)));
};

/**
 * Runs `cleanup` on the first Ctrl-C or SIGTERM, then exits 130; a second signal
 * kills the children at once and exits.
 *
 * @example
 * onInterrupt(async () => { await stopAllChildren(); await stopInfrastructure(); });
 */
export const onInterrupt = (cleanup: () => Promise<void>): void => {
  let interrupted = false;
  const handle = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\nbench: ${signal}, stopping the processes it started…\n`);
    cleanup().finally(() => process.exit(130));
  };
  process.on("SIGINT", handle);
  process.on("SIGTERM", handle);
};

/**
 * A process's peak resident set size so far (VmHWM in /proc/<pid>/status), in bytes;
 * undefined when the process is gone or the system has no /proc.
 *
 * @example
 * peakRssBytes(child.pid ?? 0); // 187_432_960
 */
export const peakRssBytes = (pid: number): number | undefined => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
};

/**
 * A process's command line as one string ("" when unreadable).
 *
 * @example
 * commandLineOf(519).includes("--handler=sqlite"); // true for FerretDB on SQLite
 */
export const commandLineOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
};
