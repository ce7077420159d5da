/**
 * What the numbers were measured on: the machine (cores, memory, load), the runtime and
 * client versions, and which MongoDB-wire server and Kafka answered.
 */
import { cpus, loadavg, totalmem } from "node:os";
import kafkaJavascript from "@confluentinc/kafka-javascript";
import type { Db } from "mongodb";
import type { BenchInfrastructure } from "./benchInfrastructure.ts";
import { commandLineOf } from "./childProcesses.ts";

export interface MachineDescription {
  readonly date: string;
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly loadAtStart: ReadonlyArray<number>;
  readonly node: string;
  readonly kafka: string;
  readonly kafkaClient: string;
  readonly store: string;
  readonly loadAtEnd?: ReadonlyArray<number>;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * The store as it describes itself: FerretDB reports `ferretdbVersion` in buildInfo;
 * the backend shows on the local FerretDB's command line.
 *
 * @example
 * await describeStore(db, infrastructure); // "FerretDB v1.24.2, SQLite backend (MongoDB 7.0.42 wire)"
 */
export const describeStore = async (db: Db, infrastructure: BenchInfrastructure): Promise<string> => {
  const info = (await db.admin().command({ buildInfo: 1 })) as { version?: string; ferretdbVersion?: string };
  if (info.ferretdbVersion === undefined) return `MongoDB ${info.version ?? "(unknown version)"}`;
  const pid = infrastructure.localPids.mongo;
  const commandLine = pid === undefined ? "" : commandLineOf(pid);
  const backend = /--handler=(\w+)/.exec(commandLine)?.[1];
  const backendName = backend === "sqlite" ? "SQLite" : backend === "postgresql" ? "PostgreSQL" : backend;
  return `FerretDB ${info.ferretdbVersion}${backendName === undefined ? "" : `, ${backendName} backend`} (MongoDB ${info.version ?? "?"} wire)`;
};

/**
 * @example
 * const machine = await describeMachine(db, infrastructure);
 * machine.cores; // 2
 */
export const describeMachine = async (db: Db, infrastructure: BenchInfrastructure): Promise<MachineDescription> => {
  const kafkaPid = infrastructure.localPids.kafka;
  const kafka =
    kafkaPid !== undefined && infrastructure.localVersions.kafka !== undefined
      ? `Kafka ${infrastructure.localVersions.kafka} (single-node KRaft, scripts/infra.sh)`
      : `external Kafka at ${infrastructure.kafkaBootstrapServers} (version not reported)`;
  return {
    date: new Date().toISOString(),
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: round2(totalmem() / 1024 ** 3),
    loadAtStart: loadavg().map(round2),
    node: process.version,
    kafka,
    kafkaClient: `@confluentinc/kafka-javascript (librdkafka ${kafkaJavascript.librdkafkaVersion})`,
    store: await describeStore(db, infrastructure).catch((error: unknown) => `unknown (${String(error)})`),
  };
};

/**
 * Records the load average at the end of the bench.
 *
 * @example
 * finishMachineDescription(machine).loadAtEnd; // [3.1, 4.2, 5.0]
 */
export const finishMachineDescription = (machine: MachineDescription): MachineDescription => ({
  ...machine,
  loadAtEnd: loadavg().map(round2),
});
