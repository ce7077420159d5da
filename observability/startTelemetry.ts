/**
 * Starts OpenTelemetry for one Anansky process: auto-instrumentation for inbound HTTP,
 * MongoDB and fetch (undici); spans over OTLP when configured; metrics (the SDK's and
 * Effect's, through @effect/opentelemetry's producer) to a Prometheus reader and, when
 * configured, over OTLP. It must run before the instrumented modules load, hence
 * `node --import ./observability/register.ts services/main.ts`.
 *
 * The providers are set up here as the NodeSDK would (W3C trace context and baggage as
 * OTEL_PROPAGATORS says, AsyncLocalStorage context, resource from OTEL_RESOURCE_ATTRIBUTES,
 * process and host), without the NodeSDK itself: it loads every exporter it could
 * configure (gRPC, Zipkin, logs), 10-17 MB of memory in every process for code never used here.
 */
import { createRequire, syncBuiltinESMExports } from "node:module";
import * as OtelMetrics from "@effect/opentelemetry/OtelMetrics";
import * as OtelResource from "@effect/opentelemetry/Resource";
import { context, DiagLogLevel, diag, metrics, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPMetricExporter as OtlpMetricsJson } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as OtlpMetricsProto } from "@opentelemetry/exporter-metrics-otlp-proto";
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus";
import { OTLPTraceExporter as OtlpTracesJson } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OtlpTracesProto } from "@opentelemetry/exporter-trace-otlp-proto";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { MongoDBInstrumentation } from "@opentelemetry/instrumentation-mongodb";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import {
  detectResources,
  envDetector,
  hostDetector,
  processDetector,
  resourceFromAttributes,
} from "@opentelemetry/resources";
import { MeterProvider, type MetricReader, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { Effect } from "effect";
import { jsonDiagLogger } from "./jsonLogger.ts";
import { mongoStatement } from "./mongoStatement.ts";
import type { Telemetry } from "./telemetryHandle.ts";
import type { TelemetrySettings } from "./telemetrySettings.ts";

/** Probes and scrapes would otherwise be most of the traces. */
const untracedPaths = /^\/(healthz|readyz|metrics)(\?|$)/;

const diagLevels: Readonly<Record<string, DiagLogLevel>> = {
  NONE: DiagLogLevel.NONE,
  ERROR: DiagLogLevel.ERROR,
  WARN: DiagLogLevel.WARN,
  INFO: DiagLogLevel.INFO,
  DEBUG: DiagLogLevel.DEBUG,
  VERBOSE: DiagLogLevel.VERBOSE,
  ALL: DiagLogLevel.ALL,
};

/**
 * The http instrumentation patches node:http when it is first `require`d, and ESM named
 * imports (`import { request } from "node:http"`, as the outbound HTTP client does) keep
 * the unpatched functions unless the builtins' ESM exports are synced afterwards.
 */
const patchBuiltinsForEsm = () => {
  const require = createRequire(import.meta.url);
  require("node:http");
  require("node:https");
  syncBuiltinESMExports();
};

/** Effect's metrics, read by each reader at collection time (one producer per reader). */
const effectMetricsProducer = (serviceName: string) =>
  Effect.runSync(OtelMetrics.makeProducer().pipe(Effect.provide(OtelResource.layer({ serviceName }))));

const metricReaders = (settings: TelemetrySettings, prometheus: PrometheusExporter): Array<MetricReader> => {
  if (settings.metrics === undefined) return [prometheus];
  const exporter = settings.metrics === "http/json" ? new OtlpMetricsJson() : new OtlpMetricsProto();
  return [
    prometheus,
    new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: settings.metricExportIntervalMs,
      metricProducers: [effectMetricsProducer(settings.serviceName)],
    }),
  ];
};

/**
 * @example
 * const telemetry = startTelemetry(telemetrySettings(process.env), process.env.OTEL_LOG_LEVEL);
 * await telemetry.shutdown(); // flushes spans and metrics
 */
export const startTelemetry = (settings: TelemetrySettings, diagLevel: string | undefined): Telemetry => {
  const prometheus = new PrometheusExporter({
    ...(settings.prometheusListener ?? { preventServerStart: true }),
    metricProducers: [effectMetricsProducer(settings.serviceName)],
  });
  // Before the providers: OTEL_LOG_LEVEL then reports their setup too.
  diag.setLogger(jsonDiagLogger, {
    logLevel: diagLevels[(diagLevel ?? "WARN").toUpperCase()] ?? DiagLogLevel.WARN,
    suppressOverrideMessage: true,
  });
  const resource = resourceFromAttributes({ "service.namespace": "anansky" })
    .merge(detectResources({ detectors: [envDetector, processDetector, hostDetector] }))
    .merge(resourceFromAttributes({ "service.name": settings.serviceName }));
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  if (settings.propagators.length > 0) {
    const propagators = settings.propagators.map((name) =>
      name === "tracecontext" ? new W3CTraceContextPropagator() : new W3CBaggagePropagator(),
    );
    propagation.setGlobalPropagator(new CompositePropagator({ propagators }));
  }
  const meterProvider = new MeterProvider({ resource, readers: metricReaders(settings, prometheus) });
  metrics.setGlobalMeterProvider(meterProvider);
  // Without an exporter no tracer provider is registered: spans stay non-recording, while
  // incoming trace context is still passed on.
  const tracerProvider =
    settings.traces === undefined
      ? undefined
      : new BasicTracerProvider({
          resource,
          spanProcessors: [
            new BatchSpanProcessor(settings.traces === "http/json" ? new OtlpTracesJson() : new OtlpTracesProto()),
          ],
        });
  if (tracerProvider !== undefined) trace.setGlobalTracerProvider(tracerProvider);
  registerInstrumentations({
    meterProvider,
    ...(tracerProvider === undefined ? {} : { tracerProvider }),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => untracedPaths.test(request.url ?? ""),
        requireParentforOutgoingSpans: true,
      }),
      new MongoDBInstrumentation({ requireParentSpan: true, dbStatementSerializer: mongoStatement }),
      new UndiciInstrumentation({ requireParentforSpans: true }),
    ],
  });
  patchBuiltinsForEsm();
  for (const warning of settings.warnings) diag.warn(warning);
  const serializer = new PrometheusSerializer("", false);
  return {
    settings,
    tracing: settings.traces !== undefined,
    scrape: async () => serializer.serialize((await prometheus.collect()).resourceMetrics),
    shutdown: async () => {
      await Promise.all([tracerProvider?.shutdown(), meterProvider.shutdown()]);
    },
  };
};
