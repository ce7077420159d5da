/**
 * POST /v1/rules/backtest (tenant key): replays a rule over stored readings.
 *
 * With `Accept: application/x-ndjson` the answer streams one JSON object per line:
 * `{"type":"started",…}`, then `{"type":"progress",…}` after each device, then one
 * `{"type":"alert",…}` per alert and a final `{"type":"summary",…}` (or
 * `{"type":"error",…}` when the run fails midway). Otherwise the answer is one JSON
 * document `{alerts, summary}` once the run ends. A bad request is a 400 problem either way.
 */
import { Effect } from "effect";
import { Hono } from "hono";
import { decodeRequest, type RouteContext, singleValuedQuery } from "../../core/index.ts";
import type { ConditionTypes } from "./conditionTypes.ts";
import type { BacktestAlert } from "./engineApi.ts";
import { callingTenant, jsonBodyOf } from "./requestInput.ts";
import { BacktestBody, NoQuery } from "./requestSchemas.ts";
import { type BacktestProgress, planBacktest, runBacktest } from "./runBacktest.ts";

const isoOrNull = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

/**
 * A backtest alert as the API shows it (instants as ISO 8601).
 *
 * @example
 * backtestAlertView(alert) // { deviceId, raisedAt: "2025-…Z", resolvedAt: null, severity, peakValue, peakAt }
 */
export const backtestAlertView = (alert: BacktestAlert) => ({
  deviceId: alert.deviceId,
  raisedAt: isoOrNull(alert.raisedAt),
  resolvedAt: isoOrNull(alert.resolvedAt),
  severity: alert.severity,
  peakValue: alert.peakValue,
  peakAt: isoOrNull(alert.peakAt),
});

const problemDetail = (error: unknown): string =>
  typeof error === "object" && error !== null && "detail" in error ? String(error.detail) : String(error);

/**
 * @example
 * api.routes((context) => backtestRoutes(context, types));
 */
export const backtestRoutes = (context: RouteContext, types: ConditionTypes): Hono => {
  const app = new Hono();

  app.post("/v1/rules/backtest", async (c) => {
    const { tenantId, plan } = await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callingTenant(c.req);
        yield* decodeRequest(NoQuery, yield* singleValuedQuery(c.req));
        const body = yield* decodeRequest(BacktestBody, yield* jsonBodyOf(c.req));
        return { tenantId, plan: yield* planBacktest(tenantId, body, types) };
      }),
    );
    if (!(c.req.header("accept") ?? "").includes("application/x-ndjson")) {
      const result = await context.run(runBacktest(tenantId, types, plan, () => Effect.void));
      return c.json({ alerts: result.alerts.map(backtestAlertView), summary: result.summary });
    }
    const encoder = new TextEncoder();
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const write = (line: unknown) => {
          if (!cancelled) controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
        };
        write({
          type: "started",
          devices: plan.devices.length,
          from: new Date(plan.fromMs).toISOString(),
          to: new Date(plan.toMs).toISOString(),
        });
        // A client that left stops the run at its next progress line (and its store reads with it).
        const report = (progress: BacktestProgress) =>
          cancelled ? Effect.interrupt : Effect.sync(() => write(progress));
        context.run(runBacktest(tenantId, types, plan, report)).then(
          (result) => {
            for (const alert of result.alerts) write({ type: "alert", ...backtestAlertView(alert) });
            write({ type: "summary", ...result.summary });
            if (!cancelled) controller.close();
          },
          (error: unknown) => {
            write({ type: "error", detail: problemDetail(error) });
            if (!cancelled) controller.close();
          },
        );
      },
      cancel() {
        cancelled = true;
      },
    });
    return new Response(body, { status: 200, headers: { "content-type": "application/x-ndjson" } });
  });

  return app;
};
