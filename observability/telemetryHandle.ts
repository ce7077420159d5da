/**
 * The running process's telemetry, handed from the `--import` bootstrap
 * (observability/register.ts) to services/main.ts through a global: the two are loaded
 * separately, and main must work (untraced) when the bootstrap was left out.
 */
import type { TelemetrySettings } from "./telemetrySettings.ts";

export interface Telemetry {
  readonly settings: TelemetrySettings;
  /** Spans are exported: Effect must use the OpenTelemetry tracer. */
  readonly tracing: boolean;
  /** Every metric in the Prometheus text format. */
  scrape(): Promise<string>;
  /** Flushes and stops exporting; call it last. */
  shutdown(): Promise<void>;
}

const key = Symbol.for("anansky/telemetry");

/**
 * @example
 * installTelemetry(startTelemetry(settings, process.env.OTEL_LOG_LEVEL));
 */
export const installTelemetry = (telemetry: Telemetry): void => {
  (globalThis as Record<symbol, unknown>)[key] = telemetry;
};

/**
 * @example
 * const telemetry = installedTelemetry(); // undefined when started without --import
 */
export const installedTelemetry = (): Telemetry | undefined =>
  (globalThis as Record<symbol, unknown>)[key] as Telemetry | undefined;
