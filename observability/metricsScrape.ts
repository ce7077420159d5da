/**
 * The Prometheus text for GET /metrics: from the OpenTelemetry bootstrap when it runs
 * (Effect's metrics plus the SDK's, such as http.server.request.duration), else from
 * Effect's own formatter, so a process started without `--import` still answers.
 */
import { Effect } from "effect";
import { PrometheusMetrics } from "effect/observability";
import { PlatformMetrics } from "../core/index.ts";
import type { Telemetry } from "./telemetryHandle.ts";

/** Prometheus text format 0.0.4. */
export const prometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

// The OpenTelemetry exporter appends _total to counters; the fallback does the same.
const counterNames = new Set(
  Object.values(PlatformMetrics)
    .filter((metric) => metric.type === "Counter")
    .map((metric) => metric.id),
);

/**
 * @example
 * const body = await scrapeMetrics(installedTelemetry());
 */
export const scrapeMetrics = (telemetry: Telemetry | undefined): Promise<string> =>
  telemetry !== undefined
    ? telemetry.scrape()
    : Effect.runPromise(
        PrometheusMetrics.format({
          metricNameMapper: (name) => (counterNames.has(name) && !name.endsWith("_total") ? `${name}_total` : name),
        }),
      );
