/**
 * Real platform processes for the bench: `services/main.ts` started as production starts
 * it (OpenTelemetry bootstrap first), on a free loopback port, with the bench's own
 * database, topic prefix and consumer groups. The api is ready when /readyz answers, a
 * worker when it logs that it started (after its consumer groups were assigned).
 */
import type { ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { freeLoopbackPort, platformNodeArgs, withPlatformDefaults } from "../scripts/platformCommand.ts";
import { repositoryRoot } from "./benchInfrastructure.ts";
import { peakRssBytes, spawnTracked, stopChild } from "./childProcesses.ts";

/** What every process of one bench shares. */
export interface PlatformSettings {
  readonly mongodbUri: string;
  readonly kafkaBootstrapServers: string;
  readonly databaseName: string;
  readonly topicPrefix: string;
  readonly groupPrefix: string;
  readonly adminToken: string;
  /** Module paths for ANANSKY_PLUGINS (plugins the platform does not build in). */
  readonly plugins: ReadonlyArray<string>;
  /** Each process's stdout and stderr go to `<role>-<pid>.log` here. */
  readonly logDirectory: string;
  /**
   * `host:port` entries outbound HTTP may call, loopback included (the external-source
   * simulator): ANANSKY_OUTBOUND_ALLOW_HOSTS and ANANSKY_OUTBOUND_ALLOW_PRIVATE.
   */
  readonly outboundAllowList: ReadonlyArray<string>;
}

export type ProcessRole = "api" | "worker";

export interface PlatformProcess {
  readonly role: ProcessRole;
  readonly pid: number;
  /** The api's base URL ("" for a worker). */
  readonly url: string;
  readonly child: ChildProcess;
  readonly output: () => string;
  /** VmHWM so far (bytes); remembered, so it is still known after the process stopped. */
  readonly peakRssBytes: () => number | undefined;
  /** SIGTERM, then SIGKILL after `graceMs` (default 15 s). */
  stop(graceMs?: number): Promise<number | null>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The environment of a platform process (rate limits lifted: the bench is one client). */
export const platformEnvironment = (settings: PlatformSettings, role: ProcessRole, port: number) => ({
  ...withPlatformDefaults(process.env),
  MONGODB_URI: settings.mongodbUri,
  DATABASE_NAME: settings.databaseName,
  KAFKA_BOOTSTRAP_SERVERS: settings.kafkaBootstrapServers,
  KAFKA_GROUP_ID: settings.groupPrefix,
  ANANSKY_TOPIC_PREFIX: settings.topicPrefix,
  ANANSKY_ADMIN_TOKEN: settings.adminToken,
  ANANSKY_PLUGINS: settings.plugins.join(","),
  ANANSKY_INGEST_RATE_PER_SECOND: "1000000000",
  ANANSKY_INGEST_RATE_BURST: "1000000000",
  // Exactly the simulator's address: the platform refuses loopback unless it is named here.
  ANANSKY_OUTBOUND_ALLOW_HOSTS: settings.outboundAllowList.join(","),
  ANANSKY_OUTBOUND_ALLOW_PRIVATE: settings.outboundAllowList.join(","),
  MODE: role === "api" ? "server" : "consumer",
  PORT: String(port),
  HOST: "127.0.0.1",
  LOG_LEVEL: "info",
  ANANSKY_EXIT_WITH_PARENT: "1",
});

/**
 * @example
 * const api = await startPlatformProcess(settings, "api");
 * const worker = await startPlatformProcess(settings, "worker", { nodeArgs: ["--cpu-prof", "--cpu-prof-dir=/tmp/p"] });
 * await worker.stop(); await api.stop();
 */
export const startPlatformProcess = async (
  settings: PlatformSettings,
  role: ProcessRole,
  options: { readonly nodeArgs?: ReadonlyArray<string>; readonly readyTimeoutMs?: number } = {},
): Promise<PlatformProcess> => {
  const port = await freeLoopbackPort();
  const child = spawnTracked(process.execPath, [...(options.nodeArgs ?? []), ...platformNodeArgs()], {
    cwd: repositoryRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: platformEnvironment(settings, role, port),
  });
  let output = "";
  const logFile = createWriteStream(join(settings.logDirectory, `${role}-${child.pid ?? "unknown"}.log`));
  child.once("exit", () => logFile.end());
  const collect = (chunk: unknown) => {
    logFile.write(String(chunk));
    // Keep the start and the latest lines: enough to explain a failure, bounded in memory.
    output = output.length > 200_000 ? `${output.slice(0, 20_000)}\n…\n${output.slice(-100_000)}` : output;
    output += String(chunk);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const pid = child.pid ?? 0;
  let lastPeak: number | undefined;
  const peak = () => {
    lastPeak = peakRssBytes(pid) ?? lastPeak;
    return lastPeak;
  };
  const url = role === "api" ? `http://127.0.0.1:${port}` : "";
  const started: PlatformProcess = {
    role,
    pid,
    url,
    child,
    output: () => output,
    peakRssBytes: peak,
    stop: async (graceMs) => {
      peak();
      return stopChild(child, graceMs);
    },
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `the ${role} process exited (${child.exitCode ?? child.signalCode}) while starting: ${failureSummary(output)}\n${output}`,
      );
    }
    if (role === "worker" && output.includes("anansky consumer started")) break;
    if (role === "api") {
      const response = await fetch(`${url}/readyz`).catch(() => undefined);
      await response?.body?.cancel();
      if (response?.ok === true) break;
    }
    if (Date.now() > deadline) {
      await started.stop();
      throw new Error(`the ${role} process was not ready within ${options.readyTimeoutMs ?? 90_000} ms:\n${output}`);
    }
    await sleep(200);
  }
  peak();
  return started;
};

/**
 * Why a process failed, from its last fatal or error JSON log line (the error's reason
 * when it has one), else its last line.
 *
 * @example
 * failureSummary(worker.output()); // "group bench-x.alert-rules assigned no partitions within 30000 ms"
 */
export const failureSummary = (output: string): string => {
  const lines = output.trim().split("\n");
  for (const line of lines.toReversed()) {
    if (!line.includes('"level":"fatal"') && !line.includes('"level":"error"')) continue;
    try {
      const entry = JSON.parse(line) as { message?: string; error?: { reason?: string; message?: string } };
      return entry.error?.reason ?? entry.error?.message ?? entry.message?.split("\n")[0] ?? line;
    } catch {
      return line.slice(0, 300);
    }
  }
  return lines.at(-1)?.slice(0, 300) ?? "no output";
};

/**
 * The plugin ids the process logged as loaded ("anansky server started with plugins: a, b").
 *
 * @example
 * loadedPluginIds(api.output()); // ["devices", "ingest", "external-source", "alert-rules"]
 */
export const loadedPluginIds = (output: string): Array<string> => {
  const match = /started with plugins: ([^"\n]*)/.exec(output);
  return match?.[1] === undefined ? [] : match[1].split(",").map((id) => id.trim());
};
