/**
 * scripts/infra.sh from TypeScript, for the test harness and the bench: run a command,
 * ask whether a service is up.
 *
 * @example
 * if (!isRunning("mongo")) infra("start", "mongo");
 * const exports = infra("env"); // "export MONGODB_URI=…" lines
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const infraScript = fileURLToPath(new URL("./infra.sh", import.meta.url));

/** Runs `scripts/infra.sh <args>` and returns its stdout (its log lines go to stderr). */
export const infra = (...args: Array<string>): string =>
  execFileSync("bash", [infraScript, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

/** Whether `scripts/infra.sh status <service>` says the service runs. */
export const isRunning = (service: string): boolean => {
  try {
    infra("status", service);
    return true;
  } catch {
    return false;
  }
};
