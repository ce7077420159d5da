/**
 * What the OpenTelemetry bootstrap does, decided from the standard OTEL_* variables
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/)
 * and two of ours. Tracing and OTLP metrics are on only when an OTLP endpoint is set,
 * so a process without one exports nothing and logs no export errors; the Prometheus
 * scrape (GET /metrics on the API port, or ANANSKY_METRICS_PORT) is always there.
 */

/** OTLP over HTTP; the exporters read endpoint, headers, timeout and compression from the env themselves. */
export type OtlpProtocol = "http/protobuf" | "http/json";

export interface TelemetrySettings {
  /** The SDK is off altogether (OTEL_SDK_DISABLED=true). */
  readonly disabled: boolean;
  /** `anansky-api` (MODE=server), `anansky-worker` (MODE=consumer), `anansky` (MODE=all), or OTEL_SERVICE_NAME. */
  readonly serviceName: string;
  /** Export spans over OTLP with this protocol; undefined: no tracing. */
  readonly traces: OtlpProtocol | undefined;
  /** Push metrics over OTLP with this protocol; undefined: scrape only. */
  readonly metrics: OtlpProtocol | undefined;
  /** OTEL_METRIC_EXPORT_INTERVAL (default 60 s). */
  readonly metricExportIntervalMs: number;
  /** A separate Prometheus listener (ANANSKY_METRICS_PORT, host ANANSKY_METRICS_HOST default 127.0.0.1). */
  readonly prometheusListener: { readonly host: string; readonly port: number } | undefined;
  /** How often consumer lag and the unpublished backlog are read (ANANSKY_METRICS_POLL_INTERVAL_MS, default 15 s). */
  readonly metricsPollIntervalMs: number;
  /** OTEL_PROPAGATORS as far as supported (default tracecontext and baggage; "none": none). */
  readonly propagators: ReadonlyArray<Propagator>;
  /** Why a configured signal is off (for one warning line at start). */
  readonly warnings: ReadonlyArray<string>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The W3C propagators; b3 and jaeger would need packages the platform does not ship. */
export type Propagator = "tracecontext" | "baggage";

const propagatorsOf = (env: Env, warnings: Array<string>): ReadonlyArray<Propagator> => {
  const names = (nonEmpty(env.OTEL_PROPAGATORS) ?? "tracecontext,baggage")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
  if (names.includes("none")) return [];
  const supported = names.filter((name): name is Propagator => name === "tracecontext" || name === "baggage");
  const unsupported = names.filter((name) => name !== "tracecontext" && name !== "baggage");
  if (unsupported.length > 0) {
    warnings.push(`OTEL_PROPAGATORS: ${unsupported.join(", ")} not supported (tracecontext and baggage are)`);
  }
  return [...new Set(supported)];
};

const serviceNames: Readonly<Record<string, string>> = {
  server: "anansky-api",
  consumer: "anansky-worker",
  all: "anansky",
};

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === "" ? undefined : value.trim();

/** The exporter names a signal's OTEL_*_EXPORTER lists (default otlp). */
const exporters = (env: Env, variable: string): ReadonlyArray<string> =>
  (nonEmpty(env[variable]) ?? "otlp").split(",").map((name) => name.trim().toLowerCase());

const otlpSignal = (env: Env, signal: "TRACES" | "METRICS", warnings: Array<string>): OtlpProtocol | undefined => {
  if (!exporters(env, `OTEL_${signal}_EXPORTER`).includes("otlp")) return undefined;
  const endpoint = nonEmpty(env[`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`]) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (endpoint === undefined) return undefined;
  const protocol =
    nonEmpty(env[`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`]) ??
    nonEmpty(env.OTEL_EXPORTER_OTLP_PROTOCOL) ??
    "http/protobuf";
  if (protocol === "http/protobuf" || protocol === "http/json") return protocol;
  warnings.push(
    `OTLP ${signal.toLowerCase()} off: protocol "${protocol}" is not supported (use http/protobuf or http/json)`,
  );
  return undefined;
};

const positiveInt = (value: string | undefined, fallback: number): number => {
  const parsed = Number(nonEmpty(value));
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
};

/**
 * @example
 * telemetrySettings({ MODE: "consumer", OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" });
 * // { serviceName: "anansky-worker", traces: "http/protobuf", metrics: "http/protobuf", ... }
 */
export const telemetrySettings = (env: Env): TelemetrySettings => {
  const warnings: Array<string> = [];
  const disabled = nonEmpty(env.OTEL_SDK_DISABLED)?.toLowerCase() === "true";
  const port = positiveInt(env.ANANSKY_METRICS_PORT, 0);
  return {
    disabled,
    serviceName: nonEmpty(env.OTEL_SERVICE_NAME) ?? serviceNames[nonEmpty(env.MODE) ?? "all"] ?? "anansky",
    traces: disabled ? undefined : otlpSignal(env, "TRACES", warnings),
    metrics: disabled ? undefined : otlpSignal(env, "METRICS", warnings),
    metricExportIntervalMs: positiveInt(env.OTEL_METRIC_EXPORT_INTERVAL, 60_000),
    metricsPollIntervalMs: positiveInt(env.ANANSKY_METRICS_POLL_INTERVAL_MS, 15_000),
    prometheusListener:
      port > 0 && port < 65_536 ? { host: nonEmpty(env.ANANSKY_METRICS_HOST) ?? "127.0.0.1", port } : undefined,
    propagators: propagatorsOf(env, warnings),
    warnings,
  };
};
