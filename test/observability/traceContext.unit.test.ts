/** W3C traceparent: parse, format, read from the current span, continue from a header, stamp on events. */
import { assert, describe, it } from "@effect/vitest";
import { Effect, Option } from "effect";
import {
  continueTrace,
  currentTraceparent,
  formatTraceparent,
  parseTraceparent,
  traceIdOf,
  traceparentToStamp,
} from "../../core/observability/traceContext.ts";
import { recordingTracer } from "./recordingTracer.ts";

const traceId = "0af7651916cd43dd8448eb211c80319c";
const spanId = "b7ad6b7169203331";
const header = `00-${traceId}-${spanId}-01`;

describe("parseTraceparent", () => {
  it("reads a valid header", () => {
    assert.deepStrictEqual(parseTraceparent(header), Option.some({ traceId, spanId, sampled: true }));
    assert.deepStrictEqual(
      parseTraceparent(`00-${traceId}-${spanId}-00`),
      Option.some({ traceId, spanId, sampled: false }),
    );
  });

  it("accepts a future version with extra fields", () => {
    assert.isTrue(Option.isSome(parseTraceparent(`01-${traceId}-${spanId}-01-extra`)));
  });

  it.each([
    ["missing", undefined],
    ["null", null],
    ["empty", ""],
    ["all-zero trace id", `00-${"0".repeat(32)}-${spanId}-01`],
    ["all-zero span id", `00-${traceId}-${"0".repeat(16)}-01`],
    ["version ff", `ff-${traceId}-${spanId}-01`],
    ["upper-case hex", `00-${traceId.toUpperCase()}-${spanId}-01`],
    ["extra fields on version 00", `${header}-extra`],
    ["short trace id", `00-${traceId.slice(1)}-${spanId}-01`],
    ["garbage", "not a traceparent"],
  ])("rejects %s", (_label, value) => {
    assert.isTrue(Option.isNone(parseTraceparent(value)));
  });

  it("round-trips through formatTraceparent", () => {
    const parsed = Option.getOrThrow(parseTraceparent(header));
    assert.strictEqual(formatTraceparent(parsed), header);
    assert.deepStrictEqual(traceIdOf(header), Option.some(traceId));
  });
});

describe("currentTraceparent and continueTrace", () => {
  it.effect("is None outside any span", () =>
    Effect.gen(function* () {
      assert.isTrue(Option.isNone(yield* currentTraceparent));
    }),
  );

  it.effect("is the current span inside one", () =>
    Effect.gen(function* () {
      const { tracer } = recordingTracer();
      const [current, span] = yield* Effect.all([currentTraceparent, Effect.currentSpan]).pipe(
        Effect.withSpan("work"),
        Effect.withTracer(tracer),
      );
      assert.deepStrictEqual(current, Option.some(formatTraceparent(span)));
    }),
  );

  it.effect("makes spans children of the header's span", () =>
    Effect.gen(function* () {
      const { tracer, ended } = recordingTracer();
      yield* Effect.void.pipe(Effect.withSpan("handle"), continueTrace(header), Effect.withTracer(tracer));
      const [span] = ended;
      assert.strictEqual(span?.traceId, traceId);
      const parent = Option.getOrThrow(span?.parent ?? Option.none());
      assert.strictEqual(parent.spanId, spanId);
    }),
  );

  it.effect("leaves the effect alone when the header is invalid", () =>
    Effect.gen(function* () {
      const { tracer, ended } = recordingTracer();
      yield* Effect.void.pipe(Effect.withSpan("handle"), continueTrace("garbage"), Effect.withTracer(tracer));
      assert.strictEqual(ended.length, 1);
      assert.isTrue(ended[0] !== undefined && Option.isNone(ended[0].parent));
    }),
  );
});

describe("traceparentToStamp", () => {
  const current = `00-${traceId}-${"1".repeat(16)}-01`;
  const otherTrace = `00-${"2".repeat(32)}-${spanId}-01`;

  it("stamps an event without a traceparent", () => {
    assert.strictEqual(traceparentToStamp(null, current), current);
  });

  it("moves an inherited traceparent of the same trace down to the current span", () => {
    assert.strictEqual(traceparentToStamp(header, current), current);
  });

  it("keeps a traceparent of another trace (set on purpose)", () => {
    assert.strictEqual(traceparentToStamp(otherTrace, current), otherTrace);
  });

  it("replaces a malformed one", () => {
    assert.strictEqual(traceparentToStamp("garbage", current), current);
  });
});
