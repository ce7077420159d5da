/**
 * The simulator's command line: flags to SimulationOptions, with the environment as a
 * fallback for where the API is and the secrets (so they need not show in `ps`).
 */
import { parseArgs } from "node:util";
import type { SimulationOptions } from "./simulationOptions.ts";

export const cliUsage = `usage: node services/simulator/main.ts [options]

  --devices N            simulated devices (default 50)
  --rate R               readings per second, all devices together (default 1000)
  --duration S           seconds to run (default 60, unless --count is given)
  --count N              stop after N readings
  --batch B              readings per request, 1-1000 (default 100)
  --concurrency C        requests in flight at most (default 16)
  --url URL              API base URL (default $ANANSKY_URL or http://127.0.0.1:8080)
  --admin-token T        create the tenant and a tenant key (default $ANANSKY_ADMIN_TOKEN)
  --tenant-key K         register devices with this key (default $ANANSKY_TENANT_KEY)
  --tenant ID            tenant id (default sim)
  --keys-file PATH       device keys, reused by later runs (default .anansky/sim-keys.json)
  --seed N               fixes values, spikes and silences (default random, reported)
  --silence P            chance per device per second of going quiet (default 0.02)
  --silence-seconds A-B  how long a quiet period lasts (default 5-30)
  --spike P              chance per reading of a value far out of range (default 0.01)
  --payload-version V    2 (default) or 1 (the Python system's flat shape)
  --timeout-ms MS        per-request timeout (default 10000)
  --json                 print only the final JSON summary
  -h, --help             this text`;

/** A command line that cannot be run; main prints it with the usage. */
export class CliUsageError extends Error {
  override readonly name = "CliUsageError";
}

export type CliCommand =
  | { readonly kind: "help" }
  | { readonly kind: "run"; readonly json: boolean; readonly options: SimulationOptions };

const numberFlag = (flag: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value))
    throw new CliUsageError(`--${flag} expects a number, not "${text}"`);
  return value;
};

const silenceRange = (text: string | undefined): { min: number; max: number } | undefined => {
  if (text === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(text.trim());
  if (match?.[1] === undefined) throw new CliUsageError(`--silence-seconds expects A-B or A, not "${text}"`);
  const min = Number(match[1]);
  return { min, max: match[2] === undefined ? min : Number(match[2]) };
};

// An empty variable (ANANSKY_ADMIN_TOKEN= ) means "not set", not "an empty token".
const fromEnv = (value: string | undefined): string | undefined => (value === "" ? undefined : value);

/**
 * @example
 * parseCliArguments(["--devices", "5", "--rate", "50", "--count", "500"], process.env);
 * // { kind: "run", json: false, options: { deviceCount: 5, ratePerSecond: 50, count: 500, ... } }
 */
export const parseCliArguments = (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>,
): CliCommand => {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(args).values;
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  if (values.help === true) return { kind: "help" };
  const count = numberFlag("count", values.count);
  const payloadVersion = numberFlag("payload-version", values["payload-version"]);
  if (payloadVersion !== undefined && payloadVersion !== 1 && payloadVersion !== 2) {
    throw new CliUsageError("--payload-version is 1 or 2");
  }
  const options: SimulationOptions = {
    url: values.url ?? fromEnv(env.ANANSKY_URL) ?? "http://127.0.0.1:8080",
    deviceCount: numberFlag("devices", values.devices) ?? 50,
    ratePerSecond: numberFlag("rate", values.rate) ?? 1000,
    // With --count alone the run ends at the count, not after a default minute.
    durationSeconds: numberFlag("duration", values.duration) ?? (count === undefined ? 60 : undefined),
    count,
    batchSize: numberFlag("batch", values.batch) ?? 100,
    concurrency: numberFlag("concurrency", values.concurrency),
    tenantId: values.tenant,
    adminToken: values["admin-token"] ?? fromEnv(env.ANANSKY_ADMIN_TOKEN),
    tenantKey: values["tenant-key"] ?? fromEnv(env.ANANSKY_TENANT_KEY),
    keysFilePath: values["keys-file"],
    seed: numberFlag("seed", values.seed),
    silenceProbability: numberFlag("silence", values.silence),
    silenceSeconds: silenceRange(values["silence-seconds"]),
    spikeProbability: numberFlag("spike", values.spike),
    payloadVersion,
    requestTimeoutMs: numberFlag("timeout-ms", values["timeout-ms"]),
  };
  return { kind: "run", json: values.json === true, options };
};

const parse = (args: ReadonlyArray<string>) =>
  parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: {
      devices: { type: "string" },
      rate: { type: "string" },
      duration: { type: "string" },
      count: { type: "string" },
      batch: { type: "string" },
      concurrency: { type: "string" },
      url: { type: "string" },
      "admin-token": { type: "string" },
      "tenant-key": { type: "string" },
      tenant: { type: "string" },
      "keys-file": { type: "string" },
      seed: { type: "string" },
      silence: { type: "string" },
      "silence-seconds": { type: "string" },
      spike: { type: "string" },
      "payload-version": { type: "string" },
      "timeout-ms": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
