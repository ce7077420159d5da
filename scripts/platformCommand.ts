/**
 * How a platform process starts, for the test harness and the bench: the same Node
 * arguments as `npm start` (scripts/start.sh) and the Dockerfile, from one file.
 *
 * `--max-semi-space-size=4`: V8 sizes the young generation for the machine (up to 3 × 32 MB
 * here) and lets it fill before collecting; 4 MB semi-spaces cut the bench's peak RSS by
 * about 100 MB per process (api 330 → 201 MB, worker 321 → 228 MB) at no measured cost.
 *
 * @example
 * spawn(process.execPath, platformNodeArgs(), { cwd: repositoryRoot });
 */
import { readFileSync } from "node:fs";

const argsFile = new URL("./platform-node-args", import.meta.url);

/** `["--max-semi-space-size=4", "--import", "./observability/register.ts", "services/main.ts"]` */
export const platformNodeArgs = (): Array<string> => readFileSync(argsFile, "utf8").trim().split(/\s+/);
