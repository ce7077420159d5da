/**
 * Hands integration tests real endpoints: MONGODB_URI, a fresh DATABASE_NAME per run and
 * KAFKA_BOOTSTRAP_SERVERS. Taken from the environment when set, else from the local
 * infrastructure (scripts/infra.sh), which is started here when needed (Jaeger as well,
 * for the tracing tests, when the store is local) and then stopped again when the run
 * ends, so a bare `vitest run` leaves nothing of ours behind.
 */
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { infra, isRunning } from "../../scripts/localInfrastructure.ts";

export default function setup(project: TestProject): () => void {
  const started: Array<string> = [];
  // Jaeger too when the store is local: started per test file, one file stopped it under another's feet.
  const localStore = process.env.MONGODB_URI === undefined;
  for (const [service, variable] of [
    ["mongo", "MONGODB_URI"],
    ["kafka", "KAFKA_BOOTSTRAP_SERVERS"],
    ...(localStore ? ([["jaeger", "ANANSKY_TEST_JAEGER_QUERY_URL"]] as const) : []),
  ] as const) {
    if (process.env[variable] === undefined && !isRunning(service)) {
      infra("start", service);
      started.push(service);
    }
  }
  for (const line of infra("env").split("\n")) {
    const match = /^export (\w+)='(.*)'$/.exec(line);
    if (match?.[1] && match[2] !== undefined && process.env[match[1]] === undefined) {
      process.env[match[1]] = match[2];
    }
  }
  process.env.DATABASE_NAME = `anansky_test_${Date.now()}_${randomBytes(3).toString("hex")}`;
  project.provide("testEnvironment", {
    mongodbUri: process.env.MONGODB_URI ?? "",
    databaseName: process.env.DATABASE_NAME,
    kafkaBootstrapServers: process.env.KAFKA_BOOTSTRAP_SERVERS ?? "",
  });
  return () => {
    if (started.length > 0) infra("stop", ...started);
  };
}
