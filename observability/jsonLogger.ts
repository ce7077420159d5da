/**
 * Structured logs: one JSON object per line on stdout, with the trace and span ids of
 * the span the log was written in (so a log line leads to its trace in Jaeger), the
 * service name, log annotations, and the cause; secrets redacted (redaction.ts).
 */
import type { DiagLogger } from "@opentelemetry/api";
import { Cause, Logger, type LogLevel, References } from "effect";
import { redact, redactString } from "./redaction.ts";

/** Where lines go (stdout); tests swap it. */
export type LineWriter = (line: string) => void;

const stdoutWriter: LineWriter = (line) => {
  process.stdout.write(`${line}\n`);
};

const messageParts = (message: unknown): ReadonlyArray<unknown> => (Array.isArray(message) ? message : [message]);

/** Fields the logger sets itself; annotations of the same name are dropped. */
const reserved = new Set([
  "timestamp",
  "level",
  "message",
  "service",
  "trace_id",
  "span_id",
  "cause",
  "error",
  "details",
]);

/**
 * The log line for one entry, as an object (exported for tests).
 *
 * @example
 * logRecord({ message: ["started"], level: "Info", date, annotations: {}, span: undefined, cause: undefined, service: "anansky-api" });
 */
export const logRecord = (entry: {
  readonly message: unknown;
  readonly level: LogLevel.LogLevel;
  readonly date: Date;
  readonly annotations: Readonly<Record<string, unknown>>;
  readonly span: { readonly traceId: string; readonly spanId: string } | undefined;
  readonly cause: string | undefined;
  /** The failure's own fields (errorFields). */
  readonly error?: Record<string, unknown> | undefined;
  readonly service: string;
}): Record<string, unknown> => {
  const parts = messageParts(entry.message);
  const text = parts.filter((part) => typeof part === "string").join(" ");
  const details = parts.filter((part) => typeof part !== "string");
  const record: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(redact(entry.annotations) as Record<string, unknown>)) {
    if (!reserved.has(key)) record[key] = value;
  }
  return {
    timestamp: entry.date.toISOString(),
    level: entry.level.toLowerCase(),
    message: redactString(text),
    service: entry.service,
    ...(entry.span === undefined ? {} : { trace_id: entry.span.traceId, span_id: entry.span.spanId }),
    ...record,
    ...(details.length === 0 ? {} : { details: redact(details) }),
    ...(entry.cause === undefined ? {} : { cause: redactString(entry.cause) }),
    ...(entry.error === undefined ? {} : { error: entry.error }),
  };
};

/**
 * An Effect logger writing JSON lines.
 *
 * @example
 * Effect.runFork(program.pipe(Effect.provide(Logger.layer([jsonLogger("anansky-api")]))));
 */
export const jsonLogger = (service: string, write: LineWriter = stdoutWriter): Logger.Logger<unknown, void> =>
  Logger.make((options) => {
    const span = options.fiber.cache.span;
    write(
      JSON.stringify(
        logRecord({
          message: options.message,
          level: options.logLevel,
          date: options.date,
          annotations: options.fiber.getRef(References.CurrentLogAnnotations),
          span: span === undefined || span.traceId === "" ? undefined : span,
          cause: options.cause.reasons.length > 0 ? Cause.pretty(options.cause) : undefined,
          error: options.cause.reasons.length > 0 ? errorFields(Cause.squash(options.cause)) : undefined,
          service,
        }),
      ),
    );
  });

const diagLine =
  (level: string) =>
  (message: string, ...args: Array<unknown>): void =>
    stdoutWriter(
      JSON.stringify({
        timestamp: new Date().toISOString(),
        level,
        message: redactString(message),
        component: "opentelemetry",
        ...(args.length === 0 ? {} : { details: redact(args) }),
      }),
    );

/**
 * The OpenTelemetry SDK's own messages (export failures and the like), in the same format.
 *
 * @example
 * diag.setLogger(jsonDiagLogger, DiagLogLevel.WARN);
 */
export const jsonDiagLogger: DiagLogger = {
  error: diagLine("error"),
  warn: diagLine("warn"),
  info: diagLine("info"),
  debug: diagLine("debug"),
  verbose: diagLine("trace"),
};

/**
 * A failure's own fields (a tagged error's `_tag`, `operation`, `reason`, …), which
 * `Cause.pretty` leaves out; redacted, without the stack.
 *
 * @example
 * errorFields(new EventStoreUnavailable({ operation: "connect", reason: "timeout" }));
 * // { _tag: "EventStoreUnavailable", operation: "connect", reason: "timeout" }
 */
export const errorFields = (error: unknown): Record<string, unknown> | undefined => {
  if (typeof error !== "object" || error === null) return undefined;
  const fields = redact({ ...error }) as Record<string, unknown>;
  delete fields.stack;
  return Object.keys(fields).length === 0 ? undefined : fields;
};

/**
 * The one line a process writes when it cannot start or crashes outside any fiber's
 * logger, in the same format.
 *
 * @example
 * console.error(fatalLogLine("anansky-api", Cause.squash(exit.cause), Cause.pretty(exit.cause)));
 */
export const fatalLogLine = (service: string, error: unknown, pretty: string): string => {
  const message = error instanceof Error && error.message !== "" ? error.message : pretty;
  const fields = errorFields(error);
  return JSON.stringify({
    timestamp: new Date().toISOString(),
    level: "fatal",
    message: redactString(message),
    service,
    ...(fields === undefined ? {} : { error: fields }),
  });
};
