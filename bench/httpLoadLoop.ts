/**
 * A closed-loop HTTP load: `concurrency` requests in flight, each answered before the
 * next is sent, until `maxRequests` were sent or `durationMs` passed. It uses `fetch`
 * (undici), as the device simulator does, so the client's own cost is the same in the
 * Hono baseline and in the ingest rows.
 */
import { preciseNowMs } from "./percentiles.ts";

export interface HttpLoadResult {
  readonly completed: number;
  readonly failed: number;
  readonly elapsedMs: number;
  readonly perSecond: number;
}

/**
 * @example
 * const result = await runHttpLoad({
 *   concurrency: 16, durationMs: 5_000, maxRequests: 100_000,
 *   send: () => fetch("http://127.0.0.1:41234/echo", { method: "POST", body: "{}" }),
 * });
 * result.perSecond; // 4_812.5
 */
export const runHttpLoad = async (options: {
  readonly concurrency: number;
  readonly durationMs: number;
  readonly maxRequests: number;
  readonly send: () => Promise<Response>;
}): Promise<HttpLoadResult> => {
  const startedAt = preciseNowMs();
  const deadline = startedAt + options.durationMs;
  let sent = 0;
  let completed = 0;
  let failed = 0;
  const loop = async () => {
    while (sent < options.maxRequests && preciseNowMs() < deadline) {
      sent++;
      try {
        const response = await options.send();
        await response.arrayBuffer();
        if (response.ok) completed++;
        else failed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  const elapsedMs = preciseNowMs() - startedAt;
  return { completed, failed, elapsedMs, perSecond: (completed * 1000) / elapsedMs };
};
