/**
 * What every Effect in an Anansky process runs with: JSON logs at LOG_LEVEL (and the
 * same lines as span events), and, when the bootstrap exports spans, Effect's tracer
 * backed by the global OpenTelemetry provider, so Effect spans and auto-instrumented
 * HTTP/MongoDB spans share one trace. Without tracing Effect keeps its native tracer:
 * spans still get ids, which the logs and the events' traceparent carry.
 */
import * as OtelTracer from "@effect/opentelemetry/OtelTracer";
import { Effect, Layer, Logger, type LogLevel, References, Tracer } from "effect";
import { jsonLogger, type LineWriter } from "./jsonLogger.ts";
import type { Telemetry } from "./telemetryHandle.ts";

const logLevels: Readonly<Record<string, LogLevel.LogLevel>> = {
  trace: "Trace",
  debug: "Debug",
  info: "Info",
  warn: "Warn",
  error: "Error",
};

/**
 * LOG_LEVEL as an Effect log level; anything unknown is "Info" (the config check reports it).
 *
 * @example
 * minimumLogLevel("warn"); // "Warn"
 */
export const minimumLogLevel = (value: string | undefined): LogLevel.LogLevel =>
  logLevels[(value ?? "info").trim().toLowerCase()] ?? "Info";

const otelTracer: Layer.Layer<never> = Layer.effect(
  Tracer.Tracer,
  OtelTracer.make.pipe(Effect.provide(OtelTracer.layerGlobalTracer)),
);

export interface TelemetryLayerOptions {
  readonly serviceName: string;
  /** LOG_LEVEL: trace, debug, info, warn or error. */
  readonly logLevel: string | undefined;
  /** The bootstrap's handle; undefined when the process started without it. */
  readonly telemetry: Telemetry | undefined;
  /** Where log lines go (default stdout). */
  readonly write?: LineWriter | undefined;
}

/**
 * @example
 * const fiber = Effect.runFork(main.pipe(Effect.provide(telemetryLayer({ serviceName, logLevel, telemetry }))));
 */
export const telemetryLayer = (options: TelemetryLayerOptions): Layer.Layer<never> =>
  Layer.mergeAll(
    Logger.layer([jsonLogger(options.serviceName, options.write), Logger.tracerLogger]),
    Layer.succeed(References.MinimumLogLevel, minimumLogLevel(options.logLevel)),
    options.telemetry?.tracing === true ? otelTracer : Layer.empty,
  );
