/**
 * One trace from an HTTP request in the api process to the follow-up append and the
 * outgoing webhook in the worker process, read back from a real Jaeger. The relay test
 * plugin stands in for ingest → alert-rules → notifier: add their spans to
 * `expectedChain` once they land.
 */
import { createServer, type Server } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { useJaeger } from "../harness/jaeger.ts";
import { freePort, type PlatformProcess, startPlatform } from "../harness/platformProcess.ts";
import { eventually } from "../harness/testEnvironment.ts";
import { type ExpectedSpan, findTraces, type JaegerTrace, missingSpans, renderTrace } from "./jaegerTraces.ts";
import { adminToken, closeServer, postRelay, relayEnvironment } from "./relayPlatform.ts";

const jaeger = useJaeger();
const processes: Array<PlatformProcess> = [];
let webhook: Server | undefined;
/** The traceparent headers the webhook receiver was called with. */
const deliveries: Array<string | undefined> = [];
afterAll(async () => {
  await Promise.all(processes.map((process) => process.stop()));
  await closeServer(webhook);
});

/** A local webhook endpoint standing in for a notifier's target. */
const startWebhook = async (): Promise<string> => {
  webhook = createServer((request, response) => {
    deliveries.push(request.headers.traceparent as string | undefined);
    request.resume();
    request.on("end", () => response.writeHead(204).end());
  });
  const port = await freePort();
  await new Promise<void>((resolve) => webhook?.listen(port, "127.0.0.1", resolve));
  return `127.0.0.1:${port}`;
};

const api = "anansky-api";
const worker = "anansky-worker";

/** The spans one relay request must leave, each under its parent. */
const expectedChain = (topicPrefix: string): ReadonlyArray<ExpectedSpan> => [
  {
    service: api,
    name: "POST /v1/test/relays/:n",
    tags: { "http.route": "/v1/test/relays/:n", "span.kind": "server" },
  },
  { service: api, name: "EventWriter.append", under: { service: api, name: "POST /v1/test/relays/:n" } },
  { service: api, name: "EventStore.appendToStream", under: { service: api, name: "EventWriter.append" } },
  {
    service: api,
    name: "insert events",
    under: { service: api, name: "EventStore.appendToStream" },
    tags: { "db.system.name": "mongodb" },
  },
  {
    service: api,
    name: `send ${topicPrefix}.relays`,
    under: { service: api, name: "EventWriter.append" },
    tags: { "span.kind": "producer", "messaging.system": "kafka" },
  },
  {
    service: worker,
    name: `process ${topicPrefix}.relays`,
    under: { service: api, name: `send ${topicPrefix}.relays` },
    tags: {
      "span.kind": "consumer",
      "messaging.system": "kafka",
      "messaging.destination.name": `${topicPrefix}.relays`,
    },
  },
  {
    service: worker,
    name: "relay handle RelayRequested",
    under: { service: worker, name: `process ${topicPrefix}.relays` },
  },
  { service: worker, name: "EventWriter.append", under: { service: worker, name: "relay handle RelayRequested" } },
  { service: worker, name: "insert events", under: { service: worker, name: "EventStore.appendToStream" } },
  { service: worker, name: `send ${topicPrefix}.relays-done`, under: { service: worker, name: "EventWriter.append" } },
  { service: worker, name: "relay deliver webhook", under: { service: worker, name: "relay handle RelayRequested" } },
  {
    service: worker,
    name: "POST",
    within: { service: worker, name: "relay deliver webhook" },
    tags: { "span.kind": "client", "http.response.status_code": 204 },
  },
];

describe("tracing", () => {
  it("follows one request from the api's HTTP span to the worker's follow-up append in one trace", async () => {
    const { otlpHttpUrl, queryUrl } = jaeger();
    const webhookHost = await startWebhook();
    const env = {
      ...relayEnvironment("tracing"),
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${otlpHttpUrl}/v1/traces`,
      OTEL_BSP_SCHEDULE_DELAY: "200",
      RELAY_WEBHOOK_URL: `http://${webhookHost}/hooks/relay`,
      ANANSKY_OUTBOUND_ALLOW_HOSTS: webhookHost,
      ANANSKY_OUTBOUND_ALLOW_PRIVATE: "127.0.0.1",
    };
    processes.push(await startPlatform({ ...env, MODE: "server" }), await startPlatform({ ...env, MODE: "consumer" }));
    const [apiProcess] = processes;
    const url = apiProcess?.url ?? "";

    const eventId = await postRelay(url, 1);
    // The follow-up event exists once the worker handled the request; the lookup names the trace.
    const lookup = await eventually(
      async () => {
        const response = await fetch(`${url}/v1/events/${eventId}/trace`, {
          headers: { authorization: `Bearer ${adminToken}` },
        });
        const body = (await response.json()) as {
          traceId: string | null;
          causedEvents: ReadonlyArray<{ type: string }>;
        };
        return body.causedEvents.some((event) => event.type === "RelayCompleted") ? body : undefined;
      },
      { what: "the worker's follow-up event", timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(lookup.traceId).toMatch(/^[0-9a-f]{32}$/);

    const expected = expectedChain(env.ANANSKY_TOPIC_PREFIX);
    let latest: JaegerTrace | undefined;
    const trace = await eventually(
      async () => {
        const traces = await findTraces(queryUrl, worker, { "messaging.message.id": eventId });
        latest = traces[0];
        return latest !== undefined && missingSpans(latest, expected).length === 0 ? latest : undefined;
      },
      { what: "the whole chain in Jaeger", timeoutMs: 30_000, intervalMs: 500 },
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}\nmissing: ${latest === undefined ? "the trace" : missingSpans(latest, expected).join("; ")}\n${latest === undefined ? "" : renderTrace(latest)}`,
      );
    });

    expect(trace.traceId).toBe(lookup.traceId);
    expect(new Set(trace.spans.map((span) => span.service))).toEqual(new Set([api, worker]));
    // The webhook target was told the trace too (W3C traceparent on the outgoing request).
    expect(deliveries.map((traceparent) => traceparent?.split("-")[1])).toContain(trace.traceId);
  });
});
