/**
 * `node services/external-source-simulator/main.ts [--port 18090] [--host 127.0.0.1] [--seed 1]
 * [--exit-on-stdin-close]`
 *
 * Serves the simulated external sources until SIGINT/SIGTERM. The first stdout line is
 * `{"url": "http://127.0.0.1:<port>"}`, so a test can spawn it with `--port 0` and read where it
 * listens. `--exit-on-stdin-close` makes a spawned simulator die with its parent (the parent's end
 * of the stdin pipe closes even when the parent is killed).
 */
import { parseArgs } from "node:util";
import { startExternalSourceSimulator } from "./startExternalSourceSimulator.ts";

const usage =
  "usage: node services/external-source-simulator/main.ts [--port N] [--host H] [--seed N] [--exit-on-stdin-close]";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "18090" },
    host: { type: "string", default: "127.0.0.1" },
    seed: { type: "string", default: "1" },
    "exit-on-stdin-close": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

const port = Number(values.port);
const seed = Number(values.seed);
if (values.help || !Number.isInteger(port) || port < 0 || port > 65_535 || !Number.isSafeInteger(seed)) {
  console.error(usage);
  process.exit(values.help ? 0 : 2);
}
if (!["127.0.0.1", "localhost", "::1"].includes(values.host)) {
  console.error(`warning: listening on ${values.host}: the simulator redirects anywhere; keep it off shared networks`);
}

const starting = startExternalSourceSimulator({ port, host: values.host, seed });

// Signal handlers go in before the URL line is out: a test may stop us the moment it reads it.
const stop = () => {
  starting
    .then((simulator) => simulator.close())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
if (values["exit-on-stdin-close"]) {
  process.stdin.on("end", stop).on("close", stop).resume();
}

const { url } = await starting.catch((error: unknown) => {
  console.error(`cannot start the simulator: ${error instanceof Error ? error.message : String(error)}`);
  return process.exit(1);
});
// Spaced as Python's json.dumps prints it: the documented format of this line.
process.stdout.write(`{"url": ${JSON.stringify(url)}}\n`);
