/**
 * Metrics end to end on a real platform process: GET /metrics (API port) and the
 * separate scrape port expose the platform's series, which move under traffic; the
 * same metrics are pushed over OTLP (to a local receiver standing in for a collector);
 * every log line is JSON and carries no secret.
 */
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type PlatformProcess, startPlatform } from "../harness/platformProcess.ts";
import { eventually } from "../harness/testEnvironment.ts";
import { parsePrometheus, type Sample, seriesValue } from "./prometheusText.ts";
import { adminToken, closeServer, postRelay, relayEnvironment } from "./relayPlatform.ts";

let platform: PlatformProcess;
let receiver: Server;
let metricsPort: number;
const otlpBodies: Array<string> = [];
const env = relayEnvironment("metrics");

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += String(chunk);
    });
    request.on("end", () => {
      if (request.url === "/v1/metrics") otlpBodies.push(body);
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  const receiverPort = await freePort();
  await new Promise<void>((resolve) => receiver.listen(receiverPort, "127.0.0.1", resolve));
  metricsPort = await freePort();
  platform = await startPlatform({
    ...env,
    MODE: "all",
    ANANSKY_METRICS_PORT: String(metricsPort),
    ANANSKY_METRICS_POLL_INTERVAL_MS: "300",
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `http://127.0.0.1:${receiverPort}/v1/metrics`,
    OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: "http/json",
    OTEL_METRIC_EXPORT_INTERVAL: "500",
    LOG_LEVEL: "debug",
  });
});

afterAll(async () => {
  await platform?.stop();
  await closeServer(receiver);
});

const scrape = async (url: string): Promise<ReadonlyArray<Sample>> => {
  const response = await fetch(url);
  expect(response.headers.get("content-type")).toContain("text/plain");
  return parsePrometheus(await response.text());
};

describe("metrics", () => {
  it("exposes the platform's series on /metrics, and they move with traffic", async () => {
    const before = await scrape(`${platform.url}/metrics`);
    expect(seriesValue(before, "anansky_events_published_total")).toBeDefined();
    expect(seriesValue(before, "anansky_ingest_readings_total")).toBe(0);
    expect(seriesValue(before, "anansky_events_appended_total", { event_type: "RelayRequested" })).toBeUndefined();

    for (const n of [1, 2, 3]) await postRelay(platform.url, n);

    const group = `${env.KAFKA_GROUP_ID}.relay`;
    const after = await eventually(
      async () => {
        const samples = await scrape(`${platform.url}/metrics`);
        const handled = seriesValue(samples, "anansky_handler_duration_seconds_count", {
          plugin: "relay",
          event_type: "RelayRequested",
          outcome: "ok",
        });
        const lag = seriesValue(samples, "anansky_consumer_lag", {
          group,
          topic: `${env.ANANSKY_TOPIC_PREFIX}.relays`,
        });
        // Kafka may deliver before the publisher has marked (and counted) the last batch published.
        const published = seriesValue(samples, "anansky_events_published_total") ?? 0;
        return handled === 3 && lag !== undefined && published >= 6 ? samples : undefined;
      },
      { what: "the worker's metrics after three relays", timeoutMs: 60_000, intervalMs: 300 },
    );
    expect(seriesValue(after, "anansky_events_appended_total", { event_type: "RelayRequested" })).toBe(3);
    expect(seriesValue(after, "anansky_events_appended_total", { event_type: "RelayCompleted" })).toBe(3);
    // The api's three appends come one by one; the worker's three may share a group commit
    // ("appendBatch" when it holds several streams), so they count at least once.
    const appendSamples = (operation: string) =>
      seriesValue(after, "anansky_event_append_duration_seconds_count", { operation }) ?? 0;
    expect(appendSamples("append")).toBeGreaterThanOrEqual(3);
    expect(appendSamples("append") + appendSamples("appendBatch")).toBeGreaterThanOrEqual(4);
    expect(seriesValue(after, "anansky_events_unpublished")).toBeDefined();
    expect(seriesValue(after, "http_server_request_duration_count", { http_route: "/v1/test/relays/:n" })).toBe(3);

    // The separate scrape port serves the same registry (what a worker without HTTP exposes).
    const separate = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(seriesValue(separate, "anansky_events_appended_total", { event_type: "RelayRequested" })).toBe(3);
  });

  it("pushes the same metrics over OTLP when an endpoint is configured", async () => {
    await eventually(() => (otlpBodies.some((body) => body.includes("anansky_events_appended")) ? true : undefined), {
      what: "an OTLP metrics export with the platform's series",
      timeoutMs: 15_000,
      intervalMs: 200,
    });
    const body = JSON.parse(otlpBodies.at(-1) ?? "{}") as {
      resourceMetrics: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> } }>;
    };
    const serviceName = body.resourceMetrics[0]?.resource.attributes.find((a) => a.key === "service.name");
    expect(serviceName?.value.stringValue).toBe("anansky");
  });

  it("writes every log line as JSON, without secrets", async () => {
    await fetch(`${platform.url}/v1/events/not-an-id/trace`, { headers: { authorization: `Bearer ${adminToken}` } });
    const lines = platform
      .output()
      .split("\n")
      .filter((line) => line.trim() !== "");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const record = JSON.parse(line) as Record<string, unknown>;
      expect(record.level).toBeTypeOf("string");
      expect(record.service).toBe("anansky");
    }
    expect(platform.output()).not.toContain(adminToken);
    // No OTLP trace endpoint is configured here: the SDK has nothing to complain about.
    expect(lines.filter((line) => line.includes('"component":"opentelemetry"'))).toEqual([]);
  });
});
