/**
 * The outside service the bench's external source calls: the repository's external-source
 * simulator (services/external-source-simulator/main.ts) as a child process of the bench,
 * on a port it picks itself (`--port 0`, announced on its first stdout line). Stopped with
 * its session; `--exit-on-stdin-close` makes it die with the bench even when the bench is
 * killed (the bench's end of its stdin pipe closes then), and childProcesses.ts kills it
 * on Ctrl-C like every other child.
 */
import type { ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { repositoryRoot } from "./benchInfrastructure.ts";
import { spawnTracked, stopChild } from "./childProcesses.ts";

export interface ExternalSourceSimulatorProcess {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>`: what the platform's outbound allow-list names. */
  readonly hostAndPort: string;
  readonly child: ChildProcess;
  /** Simulated requests so far (the simulator's `GET /_stats`), by path; undefined when it does not answer. */
  requestsByPath(): Promise<Readonly<Record<string, number>> | undefined>;
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * @example
 * const simulator = await startExternalSourceSimulatorProcess(logDirectory);
 * // ANANSKY_OUTBOUND_ALLOW_HOSTS=simulator.hostAndPort …
 * await simulator.stop();
 */
export const startExternalSourceSimulatorProcess = async (
  logDirectory: string,
  options: { readonly seed?: number; readonly readyTimeoutMs?: number } = {},
): Promise<ExternalSourceSimulatorProcess> => {
  const child = spawnTracked(
    process.execPath,
    [
      "services/external-source-simulator/main.ts",
      "--port",
      "0",
      "--seed",
      String(options.seed ?? 8),
      "--exit-on-stdin-close",
    ],
    // stdin stays an open pipe: its closing is the simulator's signal that the bench is gone.
    { cwd: repositoryRoot, stdio: ["pipe", "pipe", "pipe"] },
  );
  const logFile = createWriteStream(join(logDirectory, `external-source-simulator-${child.pid ?? "unknown"}.log`));
  child.once("exit", () => logFile.end());
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the external-source simulator did not announce its URL: ${output.slice(0, 2_000)}`)),
      options.readyTimeoutMs ?? 30_000,
    );
    const collect = (chunk: unknown) => {
      logFile.write(String(chunk));
      if (output.length < 10_000) output += String(chunk);
      const match = /^\{"url": "(http:\/\/[^"]+)"\}$/m.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the external-source simulator exited (${code ?? signal}) while starting: ${output}`));
    });
  }).catch(async (error: unknown) => {
    await stopChild(child, 5_000);
    throw error;
  });
  return {
    url,
    hostAndPort: new URL(url).host,
    child,
    requestsByPath: async () => {
      const response = await fetch(`${url}/_stats`).catch(() => undefined);
      if (response?.ok !== true) return undefined;
      const { byPath } = (await response.json()) as { byPath: Record<string, number> };
      return byPath;
    },
    stop: (graceMs = 10_000) => stopChild(child, graceMs),
  };
};
