/**
 * Raw HTTP baseline: requests per second of a trivial Hono route in its own process
 * (bench/trivialHonoServer.ts), driven by the same fetch client and concurrency as
 * the ingest rows.
 */
import { createInterface } from "node:readline";
import { repositoryRoot } from "./benchInfrastructure.ts";
import { spawnTracked, stopChild } from "./childProcesses.ts";
import { runHttpLoad } from "./httpLoadLoop.ts";
import type { ThroughputMeasurement } from "./kafkaProducerBaseline.ts";

const portOf = (lines: AsyncIterable<string>, timeoutMs: number): Promise<number> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the trivial Hono server did not start")), timeoutMs);
    void (async () => {
      for await (const line of lines) {
        if (/^\d+$/.test(line.trim())) {
          clearTimeout(timer);
          resolve(Number(line.trim()));
          return;
        }
      }
      reject(new Error("the trivial Hono server exited before printing its port"));
    })();
  });

/**
 * @example
 * const { perSecond } = await measureTrivialHono({ durationMs: 5_000, maxRequests: 200_000, concurrency: 16 });
 */
export const measureTrivialHono = async (options: {
  readonly durationMs: number;
  readonly maxRequests: number;
  readonly concurrency: number;
}): Promise<ThroughputMeasurement> => {
  const child = spawnTracked(process.execPath, ["bench/trivialHonoServer.ts"], {
    cwd: repositoryRoot,
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    if (child.stdout === null) throw new Error("no stdout from the trivial Hono server");
    const port = await portOf(createInterface({ input: child.stdout }), 30_000);
    const body = JSON.stringify({ ts: Date.now(), values: { temperature: 21.5 } });
    const send = () =>
      fetch(`http://127.0.0.1:${port}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body });
    // Warm-up: connections and JIT are not part of the rate.
    await runHttpLoad({ concurrency: options.concurrency, durationMs: 500, maxRequests: 500, send });
    const result = await runHttpLoad({ ...options, send });
    if (result.completed === 0) throw new Error(`no request succeeded (${result.failed} failed)`);
    return { perSecond: result.perSecond, units: result.completed, elapsedMs: result.elapsedMs };
  } finally {
    await stopChild(child, 5_000);
  }
};
