/** Which signals the bootstrap turns on, from the standard OTEL_* variables and MODE. */
import { assert, describe, it } from "@effect/vitest";
import { telemetrySettings } from "../../observability/telemetrySettings.ts";

describe("telemetrySettings", () => {
  it("exports nothing over OTLP when no endpoint is configured (no export errors)", () => {
    const settings = telemetrySettings({ MODE: "server" });
    assert.strictEqual(settings.serviceName, "anansky-api");
    assert.isUndefined(settings.traces);
    assert.isUndefined(settings.metrics);
    assert.isUndefined(settings.prometheusListener);
    assert.deepStrictEqual(settings.warnings, []);
  });

  it("names the service by MODE unless OTEL_SERVICE_NAME says otherwise", () => {
    assert.strictEqual(telemetrySettings({ MODE: "consumer" }).serviceName, "anansky-worker");
    assert.strictEqual(telemetrySettings({}).serviceName, "anansky");
    assert.strictEqual(telemetrySettings({ MODE: "server", OTEL_SERVICE_NAME: "edge-api" }).serviceName, "edge-api");
  });

  it("turns traces and metrics on with OTEL_EXPORTER_OTLP_ENDPOINT", () => {
    const settings = telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" });
    assert.strictEqual(settings.traces, "http/protobuf");
    assert.strictEqual(settings.metrics, "http/protobuf");
  });

  it("honours per-signal endpoints, protocols and exporters", () => {
    const settings = telemetrySettings({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://jaeger:4318/v1/traces",
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
    });
    assert.strictEqual(settings.traces, "http/json");
    assert.isUndefined(settings.metrics);
    const noMetrics = telemetrySettings({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318",
      OTEL_METRICS_EXPORTER: "none",
    });
    assert.strictEqual(noMetrics.traces, "http/protobuf");
    assert.isUndefined(noMetrics.metrics);
  });

  it("warns about gRPC instead of exporting to the wrong port", () => {
    const settings = telemetrySettings({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4317",
      OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
    });
    assert.isUndefined(settings.traces);
    assert.strictEqual(settings.warnings.length, 2);
  });

  it("is off altogether with OTEL_SDK_DISABLED", () => {
    const settings = telemetrySettings({ OTEL_SDK_DISABLED: "true", OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" });
    assert.isTrue(settings.disabled);
    assert.isUndefined(settings.traces);
  });

  it("opens a separate Prometheus listener on ANANSKY_METRICS_PORT, on loopback by default", () => {
    assert.deepStrictEqual(telemetrySettings({ ANANSKY_METRICS_PORT: "9464" }).prometheusListener, {
      host: "127.0.0.1",
      port: 9464,
    });
    assert.deepStrictEqual(
      telemetrySettings({ ANANSKY_METRICS_PORT: "9464", ANANSKY_METRICS_HOST: "0.0.0.0" }).prometheusListener,
      { host: "0.0.0.0", port: 9464 },
    );
    assert.isUndefined(telemetrySettings({ ANANSKY_METRICS_PORT: "nope" }).prometheusListener);
  });

  it("propagates W3C trace context and baggage unless OTEL_PROPAGATORS says otherwise", () => {
    assert.deepStrictEqual(telemetrySettings({}).propagators, ["tracecontext", "baggage"]);
    assert.deepStrictEqual(telemetrySettings({ OTEL_PROPAGATORS: " TraceContext " }).propagators, ["tracecontext"]);
    assert.deepStrictEqual(telemetrySettings({ OTEL_PROPAGATORS: "tracecontext,none" }).propagators, []);
    const b3 = telemetrySettings({ OTEL_PROPAGATORS: "b3,baggage" });
    assert.deepStrictEqual(b3.propagators, ["baggage"]);
    assert.deepStrictEqual(b3.warnings, ["OTEL_PROPAGATORS: b3 not supported (tracecontext and baggage are)"]);
  });

  it("reads the intervals", () => {
    const settings = telemetrySettings({
      OTEL_METRIC_EXPORT_INTERVAL: "5000",
      ANANSKY_METRICS_POLL_INTERVAL_MS: "500",
    });
    assert.strictEqual(settings.metricExportIntervalMs, 5_000);
    assert.strictEqual(settings.metricsPollIntervalMs, 500);
    assert.strictEqual(telemetrySettings({}).metricsPollIntervalMs, 15_000);
  });
});
