/**
 * Starts `services/main.ts` as a real child process against the test environment, waits
 * until /readyz answers, and stops it (SIGTERM, then SIGKILL) when asked or when the test
 * file ends, so no process of ours outlives a run.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { freeLoopbackPort, platformNodeArgs, withPlatformDefaults } from "../../scripts/platformCommand.ts";
import { eventually, testEnvironment } from "./testEnvironment.ts";

export const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));

/** A free loopback port (the OS picks one, we release it, the child binds it). */
export const freePort = freeLoopbackPort;

export interface PlatformProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * @example
 * const platform = await startPlatform({ MODE: "all", ANANSKY_ADMIN_TOKEN: token });
 * await fetch(`${platform.url}/readyz`);
 * await platform.stop();
 */
export const startPlatform = async (env: Record<string, string>): Promise<PlatformProcess> => {
  const { mongodbUri, databaseName, kafkaBootstrapServers } = testEnvironment();
  const port = await freePort();
  let output = "";
  // As scripts/run-platform.sh starts it: with the OpenTelemetry bootstrap loaded first.
  const child = spawn(process.execPath, platformNodeArgs(), {
    cwd: repositoryRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...withPlatformDefaults(process.env),
      MONGODB_URI: mongodbUri,
      DATABASE_NAME: databaseName,
      KAFKA_BOOTSTRAP_SERVERS: kafkaBootstrapServers,
      PORT: String(port),
      HOST: "127.0.0.1",
      ANANSKY_EXIT_WITH_PARENT: "1",
      ...env,
    },
  });
  running.add(child);
  const collect = (chunk: unknown) => {
    output += String(chunk);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const url = `http://127.0.0.1:${port}`;
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    const exited = once(child, "exit");
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    const [code] = await exited;
    clearTimeout(timer);
    running.delete(child);
    return code as number | null;
  };
  if (env.MODE !== "consumer") {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`platform exited (${child.exitCode}):\n${output}`);
        const response = await fetch(`${url}/readyz`).catch(() => undefined);
        return response?.ok ? true : undefined;
      },
      { what: "the platform to be ready", timeoutMs: 60_000, intervalMs: 200 },
    );
  }
  return { url, child, output: () => output, stop };
};
