/**
 * W3C Trace Context (`traceparent`) for events and Kafka messages, with Effect's Tracer
 * API only (core stays free of the OpenTelemetry SDK): read the current span as a
 * traceparent, stamp it on events, and continue a trace from a message's header.
 * https://www.w3.org/TR/trace-context/#traceparent-header
 */
import { type Context, Effect, Option, Tracer } from "effect";

/** The parts of a traceparent a span needs. */
export interface TraceparentParts {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
}

// version-traceId-spanId-flags; later versions may append fields after a dash.
const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const zeroTraceId = "0".repeat(32);
const zeroSpanId = "0".repeat(16);

/**
 * Reads a traceparent header; None when it is missing or malformed (all-zero ids,
 * version ff, upper-case hex, or extra fields on version 00 are all invalid).
 *
 * @example
 * parseTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
 * // Some({ traceId: "0af7…319c", spanId: "b7ad6b7169203331", sampled: true })
 */
export const parseTraceparent = (header: string | null | undefined): Option.Option<TraceparentParts> => {
  const match = header === null || header === undefined ? null : traceparentPattern.exec(header.trim());
  if (match === null) return Option.none();
  const [, version, traceId = "", spanId = "", flags = "00", rest] = match;
  if (version === "ff" || (version === "00" && rest !== undefined)) return Option.none();
  if (traceId === zeroTraceId || spanId === zeroSpanId) return Option.none();
  return Option.some({ traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 });
};

/**
 * Writes a span's identity as a version-00 traceparent.
 *
 * @example
 * formatTraceparent({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", sampled: true });
 * // "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
 */
export const formatTraceparent = (span: TraceparentParts): string =>
  `00-${span.traceId}-${span.spanId}-${span.sampled ? "01" : "00"}`;

/**
 * The trace id inside a traceparent, if it is well-formed.
 *
 * @example
 * traceIdOf(event.traceparent); // Some("0af7651916cd43dd8448eb211c80319c")
 */
export const traceIdOf = (header: string | null | undefined): Option.Option<string> =>
  Option.map(parseTraceparent(header), (parts) => parts.traceId);

/**
 * The current span (or the external parent the fiber continues) as a traceparent;
 * None outside any span, or when the tracer produced no valid ids.
 *
 * @example
 * const traceparent = yield* currentTraceparent; // Option<string>
 */
export const currentTraceparent: Effect.Effect<Option.Option<string>> = Effect.map(
  Effect.option(Effect.currentParentSpan),
  (span) =>
    Option.flatMap(span, (current) =>
      Option.map(parseTraceparent(formatTraceparent(current)), () => formatTraceparent(current)),
    ),
);

/**
 * Runs `effect` as a continuation of the trace in `traceparent` (its spans become
 * children of that remote span); runs it unchanged when the header is missing or invalid.
 *
 * @example
 * yield* handle(event).pipe(Effect.withSpan("handle"), continueTrace(message.headers.traceparent));
 */
export const continueTrace =
  (traceparent: string | null | undefined) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Option.match(parseTraceparent(traceparent), {
      onNone: () => effect,
      onSome: (parts) => Effect.withParentSpan(effect, Tracer.externalSpan(parts)) as Effect.Effect<A, E, R>,
    });

/**
 * The traceparent an event should carry when appended under the span `current`: the
 * current one when the event has none, or when its own is of the same trace (it was
 * inherited from the cause, and the current span is further down that trace, so the
 * chain stays in order). A traceparent of another trace was set on purpose and stays.
 *
 * @example
 * const stamped = events.map((e) => ({ ...e, traceparent: traceparentToStamp(e.traceparent, current) }));
 */
export const traceparentToStamp = (own: string | null, current: string): string | null => {
  if (own === null) return current;
  const ownTrace = traceIdOf(own);
  return Option.isNone(ownTrace) || Option.contains(traceIdOf(current), ownTrace.value) ? current : own;
};

/**
 * `Effect.provideContext` that keeps the caller's current span as the parent: a bus
 * runs handlers inside its batch span, and the context a runner captured at start
 * would otherwise make every batch a child of the long-lived start-up span.
 *
 * @example
 * bus.subscribe(options, (batch) => handleBatch(batch).pipe(provideContextKeepingSpan(context)));
 */
export const provideContextKeepingSpan =
  <R>(context: Context.Context<R>) =>
  <A, E>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E> =>
    Effect.flatMap(Effect.option(Effect.currentParentSpan), (parent) =>
      Effect.provideContext(Option.isSome(parent) ? Effect.withParentSpan(effect, parent.value) : effect, context),
    ) as Effect.Effect<A, E>;
