/**
 * Where Kafka and the MongoDB-wire server are: MONGODB_URI and KAFKA_BOOTSTRAP_SERVERS
 * when set, else the local infrastructure of scripts/infra.sh, started here when it is
 * not running and stopped again at the end (only what the bench itself started).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { infra, isRunning } from "../scripts/localInfrastructure.ts";

export const repositoryRoot = fileURLToPath(new URL("../", import.meta.url));

export interface BenchInfrastructure {
  readonly mongodbUri: string;
  readonly kafkaBootstrapServers: string;
  /** Services this bench started (and so stops). */
  readonly started: ReadonlyArray<string>;
  /** Pids of the local Kafka and store when the bench uses them (for their RSS and versions). */
  readonly localPids: { readonly kafka?: number; readonly mongo?: number };
  /** The versions scripts/lib.sh pins for the local services. */
  readonly localVersions: { readonly kafka?: string; readonly ferretdb?: string };
}

const infraEnvironment = (): Record<string, string> => {
  const values: Record<string, string> = {};
  for (const line of infra("env").split("\n")) {
    const match = /^export (\w+)='(.*)'$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) values[match[1]] = match[2];
  }
  return values;
};

const stateDirectory = (): string => process.env.ANANSKY_STATE ?? `${repositoryRoot}.anansky`;

const pidOf = (service: string): number | undefined => {
  try {
    const pid = Number(readFileSync(`${stateDirectory()}/${service}.pid`, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
};

const pinnedVersion = (name: string): string | undefined => {
  const lib = readFileSync(`${repositoryRoot}scripts/lib.sh`, "utf8");
  return new RegExp(`^${name}=(\\S+)$`, "m").exec(lib)?.[1];
};

/**
 * @example
 * const infrastructure = ensureInfrastructure(process.env);
 * // … run the bench …
 * stopStartedInfrastructure(infrastructure);
 */
export const ensureInfrastructure = (env: NodeJS.ProcessEnv): BenchInfrastructure => {
  const started: Array<string> = [];
  for (const [service, variable] of [
    ["mongo", "MONGODB_URI"],
    ["kafka", "KAFKA_BOOTSTRAP_SERVERS"],
  ] as const) {
    if (env[variable] === undefined && !isRunning(service)) {
      process.stderr.write(`bench: starting the local ${service} (scripts/infra.sh)\n`);
      infra("start", service);
      started.push(service);
    }
  }
  const local = env.MONGODB_URI === undefined || env.KAFKA_BOOTSTRAP_SERVERS === undefined ? infraEnvironment() : {};
  const mongodbUri = env.MONGODB_URI ?? local.MONGODB_URI ?? "";
  const kafkaBootstrapServers = env.KAFKA_BOOTSTRAP_SERVERS ?? local.KAFKA_BOOTSTRAP_SERVERS ?? "";
  // The local services count as "ours" to report on when the endpoints are theirs.
  const localUri = (() => {
    try {
      return readFileSync(`${stateDirectory()}/mongo.uri`, "utf8").trim();
    } catch {
      return undefined;
    }
  })();
  const kafkaPort = process.env.ANANSKY_KAFKA_PORT ?? "19092";
  const localPids = {
    ...(mongodbUri === localUri && pidOf("mongo") !== undefined ? { mongo: pidOf("mongo") as number } : {}),
    ...(kafkaBootstrapServers === `127.0.0.1:${kafkaPort}` && pidOf("kafka") !== undefined
      ? { kafka: pidOf("kafka") as number }
      : {}),
  };
  const kafkaVersion = pinnedVersion("KAFKA_VERSION");
  const ferretdbVersion = pinnedVersion("FERRETDB_VERSION");
  return {
    mongodbUri,
    kafkaBootstrapServers,
    started,
    localPids,
    localVersions: {
      ...(kafkaVersion === undefined ? {} : { kafka: kafkaVersion }),
      ...(ferretdbVersion === undefined ? {} : { ferretdb: ferretdbVersion }),
    },
  };
};

/**
 * Stops the services `ensureInfrastructure` started (none when they were running already).
 *
 * @example
 * stopStartedInfrastructure(infrastructure);
 */
export const stopStartedInfrastructure = (infrastructure: BenchInfrastructure): void => {
  if (infrastructure.started.length === 0) return;
  process.stderr.write(`bench: stopping ${infrastructure.started.join(", ")} (scripts/infra.sh)\n`);
  infra("stop", ...infrastructure.started);
};
