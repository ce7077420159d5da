/**
 * How a platform process starts, for the test harness and the bench: the same Node
 * arguments and environment defaults as `npm start` and the Dockerfile
 * (scripts/run-platform.sh), from the same two files, and a free port to give it.
 *
 * `--max-semi-space-size=4`: V8 sizes the young generation for the machine (up to 3 × 32 MB
 * here) and lets it fill before collecting; 4 MB semi-spaces cut the bench's peak RSS by
 * about 100 MB per process (api 330 → 201 MB, worker 321 → 228 MB) at no measured cost.
 *
 * `--heap-growing-percent=30`: after a full collection V8 lets the old generation grow
 * by up to 4 × the live data before the next one; 1.3 × keeps garbage from doubling a
 * process's footprint. A worker's live heap under the bench's burst is about 100 MB (heap
 * snapshot); its peak RSS fell from 536-558 to 369 MB at 1.5 × with no loss of throughput
 * measured, and from 319 to 298 MB at 1.3 × once its Kafka prefetch was smaller.
 *
 * `MALLOC_ARENA_MAX=2` (scripts/platform-env, a default the environment may override):
 * glibc gives each thread that allocates its own malloc arena, up to 8 per core, and every
 * arena keeps the memory freed in it. A worker runs librdkafka's threads for each of its
 * consumers; its arenas held 34-39 MB under the bench's load, 9-13 MB with two arenas, and
 * its peak RSS in a one-run bench was 268 MB against 287-294 MB without (the api, 10 MB
 * less in a backtest), with throughput unchanged.
 *
 * @example
 * spawn(process.execPath, platformNodeArgs(), { cwd: repositoryRoot, env: withPlatformDefaults(process.env) });
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

const argsFile = new URL("./platform-node-args", import.meta.url);
const envFile = new URL("./platform-env", import.meta.url);

/** `["--max-semi-space-size=4", "--heap-growing-percent=30", "--import", "./observability/register.ts", "services/main.ts"]` */
export const platformNodeArgs = (): Array<string> => readFileSync(argsFile, "utf8").trim().split(/\s+/);

/**
 * `environment` over the defaults of scripts/platform-env (what scripts/run-platform.sh does).
 *
 * @example
 * withPlatformDefaults({ PATH: "/bin" }) // { MALLOC_ARENA_MAX: "2", PATH: "/bin" }
 */
export const withPlatformDefaults = (environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
  const applied: NodeJS.ProcessEnv = { ...environment };
  // The format run-platform.sh reads: NAME=value lines (a CR before the newline ignored);
  // anything else, comments included, is skipped. An empty value counts as unset.
  for (const line of readFileSync(envFile, "utf8").split("\n")) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*?)\r?$/.exec(line);
    const [, name, value] = match ?? [];
    if (name !== undefined && value !== undefined && !applied[name]) applied[name] = value;
  }
  return applied;
};

/**
 * A free loopback port for a child to bind (the OS picks one, we release it).
 *
 * @example
 * const port = await freeLoopbackPort();
 */
export const freeLoopbackPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
