/**
 * The real path in one trace, read back from Jaeger: a reading posted to the api process
 * (MODE=server) breaks a rule; the worker process (MODE=consumer) raises the alert and
 * delivers the webhook. The trace holds the HTTP ingest span and the append in the api
 * process, and the rule evaluation, the AlertRaised append and the webhook delivery in the
 * worker; the webhook target receives the same trace id.
 */
import { createServer, type Server } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { type AlertRulesPlatform, startAlertRulesPlatform } from "../alert-rules/alertRulesPlatform.ts";
import { useJaeger } from "../harness/jaeger.ts";
import { freePort } from "../harness/platformProcess.ts";
import { eventually } from "../harness/testEnvironment.ts";
import { type JaegerTrace, renderTrace } from "./jaegerTraces.ts";

const jaeger = useJaeger();
let platform: AlertRulesPlatform | undefined;
let receiver: Server | undefined;
const deliveries: Array<string | undefined> = [];
afterAll(async () => {
  await platform?.stop();
  await new Promise((resolve) => (receiver === undefined ? resolve(undefined) : receiver.close(resolve)));
});

const traceById = async (queryUrl: string, traceId: string): Promise<JaegerTrace | undefined> => {
  const response = await fetch(`${queryUrl}/api/traces/${traceId}`);
  if (!response.ok) return undefined;
  const body = (await response.json()) as {
    data: ReadonlyArray<{
      traceID: string;
      spans: ReadonlyArray<{
        spanID: string;
        operationName: string;
        processID: string;
        tags: ReadonlyArray<{ key: string; value: unknown }>;
      }>;
      processes: Record<string, { serviceName: string }>;
    }> | null;
  };
  const raw = body.data?.[0];
  return raw === undefined
    ? undefined
    : {
        traceId: raw.traceID,
        spans: raw.spans.map((span) => ({
          spanId: span.spanID,
          parentId: undefined,
          name: span.operationName,
          service: raw.processes[span.processID]?.serviceName ?? "?",
          tags: Object.fromEntries(span.tags.map((tag) => [tag.key, tag.value])),
        })),
      };
};

/** Every expectation the trace does not meet yet. */
const missing = (trace: JaegerTrace): ReadonlyArray<string> => {
  const has = (service: string, test: (name: string) => boolean) =>
    trace.spans.some((span) => span.service === service && test(span.name));
  return [
    has("anansky-api", (name) => name.includes("/v1/telemetry")) ? undefined : "api: POST /v1/telemetry",
    has("anansky-api", (name) => name === "EventWriter.appendBatch" || name.startsWith("EventStore.append"))
      ? undefined
      : "api: the telemetry append",
    has("anansky-worker", (name) => name.startsWith("alert-rules handle")) ? undefined : "worker: alert-rules handler",
    has("anansky-worker", (name) => name.startsWith("webhook-notifier handle"))
      ? undefined
      : "worker: webhook notifier",
    trace.spans.some(
      (span) =>
        span.service === "anansky-worker" && span.tags["span.kind"] === "client" && span.name.startsWith("POST"),
    )
      ? undefined
      : "worker: the webhook POST",
  ].filter((item): item is string => item !== undefined);
};

describe("one trace from ingest to the alert's webhook", () => {
  it("links the api's HTTP ingest to the worker's AlertRaised append and webhook delivery", async () => {
    const { otlpHttpUrl, queryUrl } = jaeger();
    receiver = createServer((request, response) => {
      deliveries.push(request.headers.traceparent as string | undefined);
      request.resume();
      request.on("end", () => response.writeHead(204).end());
    });
    const port = await freePort();
    await new Promise<void>((resolve) => receiver?.listen(port, "127.0.0.1", resolve));
    const origin = `127.0.0.1:${port}`;
    platform = await startAlertRulesPlatform(
      "trace",
      {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${otlpHttpUrl}/v1/traces`,
        OTEL_BSP_SCHEDULE_DELAY: "200",
        ANANSKY_WEBHOOK_ALLOWED_HOSTS: origin,
        ANANSKY_OUTBOUND_ALLOW_HOSTS: origin,
        ANANSKY_OUTBOUND_ALLOW_PRIVATE: origin,
        ANANSKY_ALERT_TICK_LAG_MS: "600000",
      },
      { separateWorker: true },
    );
    const tenant = await platform.newTenant();
    const deviceKey = await platform.registerDevice(tenant.key, "boiler-1");
    expect((await platform.call("POST", "/v1/webhooks", tenant.key, { url: `http://${origin}/alerts` })).status).toBe(
      201,
    );
    await platform.createRule(tenant.key, {
      ruleId: "too-hot",
      name: "too hot",
      scope: { deviceId: "boiler-1" },
      severity: "critical",
      condition: { type: "threshold", value: { source: "reading", key: "temp" }, op: ">", threshold: 90 },
    });
    await platform.send(deviceKey, [{ values: { temp: 95 } }]);

    const [alert] = await platform.alertsWhen(tenant.key, "status=open", (alerts) => alerts.length === 1, 60_000);
    await eventually(() => (deliveries.length > 0 ? true : undefined), {
      what: "the webhook delivery",
      timeoutMs: 60_000,
    });
    const traceId = deliveries[0]?.split("-")[1] ?? "";
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    let latest: JaegerTrace | undefined;
    await eventually(
      async () => {
        latest = await traceById(queryUrl, traceId);
        return latest !== undefined && missing(latest).length === 0 ? true : undefined;
      },
      { what: "the whole chain in Jaeger", timeoutMs: 30_000, intervalMs: 500 },
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}\nmissing: ${latest === undefined ? "the trace" : missing(latest).join("; ")}\n${latest === undefined ? "" : renderTrace(latest)}`,
      );
    });
    expect(alert.severity).toBe("critical");
  });
});
