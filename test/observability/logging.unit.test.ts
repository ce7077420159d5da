/** Structured logs: JSON lines with trace and span ids, LOG_LEVEL honoured, secrets redacted. */
import { assert, describe, it } from "@effect/vitest";
import { Effect } from "effect";
import { EventStoreUnavailable } from "../../core/index.ts";
import { fatalLogLine } from "../../observability/jsonLogger.ts";
import { mongoStatement } from "../../observability/mongoStatement.ts";
import { isSecretKey, redact, redactedMarker, redactString } from "../../observability/redaction.ts";
import { minimumLogLevel, telemetryLayer } from "../../observability/telemetryLayer.ts";

describe("redaction", () => {
  it.each([
    ["Authorization", true],
    ["x-api-key", true],
    ["apiKey", true],
    ["ANANSKY_ADMIN_TOKEN", true],
    ["password", true],
    ["client_secret", true],
    ["set-cookie", true],
    ["key", true],
    ["keyHash", true],
    ["deviceId", false],
    ["keyId", false],
    ["tenantId", false],
  ])("isSecretKey(%s) is %s", (key, secret) => {
    assert.strictEqual(isSecretKey(key), secret);
  });

  it("masks credentials inside text", () => {
    assert.strictEqual(
      redactString("sent Authorization: Bearer abc.DEF-123"),
      `sent Authorization: Bearer ${redactedMarker}`,
    );
    assert.strictEqual(redactString("basic auth Basic dXNlcjpwYXNz"), `basic auth Basic ${redactedMarker}`);
    assert.strictEqual(redactString("device key ak_d_Zm9vYmFy-_x used"), `device key ${redactedMarker} used`);
    assert.strictEqual(
      redactString("connect mongodb://anansky:s3cret@db:27017/anansky failed"),
      `connect mongodb://${redactedMarker}@db:27017/anansky failed`,
    );
    assert.strictEqual(redactString("nothing to hide"), "nothing to hide");
  });

  it("removes secret values from nested objects, arrays and errors", () => {
    const error = Object.assign(new Error("upstream said Bearer xyz.abc.123"), { token: "t-1" });
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    assert.deepStrictEqual(
      redact({
        request: { headers: { authorization: "Bearer abc", "content-type": "application/json" } },
        keys: [{ keyId: "k1", key: "ak_t_secret" }],
        deviceId: "d-1",
        count: 3,
        cyclic,
      }),
      {
        request: { headers: { authorization: redactedMarker, "content-type": "application/json" } },
        keys: [{ keyId: "k1", key: redactedMarker }],
        deviceId: "d-1",
        count: 3,
        cyclic: { name: "loop", self: "[…]" },
      },
    );
    const redactedError = redact(error) as Record<string, unknown>;
    assert.strictEqual(redactedError.message, `upstream said Bearer ${redactedMarker}`);
    assert.strictEqual(redactedError.token, redactedMarker);
  });
});

const capture = (logLevel: string | undefined) => {
  const lines: Array<Record<string, unknown>> = [];
  const layer = telemetryLayer({
    serviceName: "anansky-test",
    logLevel,
    telemetry: undefined,
    write: (line) => lines.push(JSON.parse(line)),
  });
  return { lines, layer };
};

describe("JSON logs", () => {
  it.effect("carry the span's trace and span ids, the service, annotations and redacted details", () => {
    const { lines, layer } = capture("info");
    return Effect.gen(function* () {
      const span = yield* Effect.gen(function* () {
        yield* Effect.logInfo("delivered webhook", {
          url: "https://hooks.example",
          headers: { authorization: "Bearer s" },
        });
        return yield* Effect.currentSpan;
      }).pipe(Effect.withSpan("deliver"), Effect.annotateLogs({ tenantId: "t-1", apiKey: "ak_t_abc" }));
      yield* Effect.logWarning("outside any span");
      const [inSpan, outside] = lines;
      assert.strictEqual(inSpan?.level, "info");
      assert.strictEqual(inSpan?.message, "delivered webhook");
      assert.strictEqual(inSpan?.service, "anansky-test");
      assert.strictEqual(inSpan?.trace_id, span.traceId);
      assert.strictEqual(inSpan?.span_id, span.spanId);
      assert.strictEqual(inSpan?.tenantId, "t-1");
      assert.strictEqual(inSpan?.apiKey, redactedMarker);
      assert.deepStrictEqual(inSpan?.details, [
        { url: "https://hooks.example", headers: { authorization: redactedMarker } },
      ]);
      assert.isString(inSpan?.timestamp);
      assert.strictEqual(outside?.level, "warn");
      assert.isUndefined(outside?.trace_id);
    }).pipe(Effect.provide(layer));
  });

  it.effect("write the cause of a failure, redacted", () => {
    const { lines, layer } = capture("info");
    return Effect.gen(function* () {
      yield* Effect.fail(new Error("rejected Bearer top-secret")).pipe(
        Effect.catchCause((cause) => Effect.logError("gave up", cause)),
      );
      const [line] = lines;
      assert.strictEqual(line?.message, "gave up");
      assert.include(JSON.stringify(line), "rejected Bearer [REDACTED]");
      assert.notInclude(JSON.stringify(line), "top-secret");
    }).pipe(Effect.provide(layer));
  });

  it.effect("write a tagged failure's own fields, which the pretty cause leaves out", () => {
    const { lines, layer } = capture("info");
    return Effect.gen(function* () {
      yield* Effect.fail(
        new EventStoreUnavailable({ operation: "connect", reason: "auth failed for Bearer abcdefgh123" }),
      ).pipe(Effect.catchCause((cause) => Effect.logError("store down", cause)));
      assert.deepStrictEqual(lines[0]?.error, {
        _tag: "EventStoreUnavailable",
        operation: "connect",
        reason: `auth failed for Bearer ${redactedMarker}`,
      });
    }).pipe(Effect.provide(layer));
  });

  it("write a fatal start-up failure as one JSON line", () => {
    const line = JSON.parse(
      fatalLogLine("anansky-api", new EventStoreUnavailable({ operation: "connect", reason: "refused" }), "pretty"),
    );
    assert.strictEqual(line.level, "fatal");
    assert.strictEqual(line.service, "anansky-api");
    // The error says what failed and why; the pretty cause is only the fallback.
    assert.strictEqual(line.message, "connect: refused");
    assert.deepStrictEqual(line.error, { _tag: "EventStoreUnavailable", operation: "connect", reason: "refused" });
  });

  it.effect("honour LOG_LEVEL", () => {
    const { lines, layer } = capture("warn");
    return Effect.gen(function* () {
      yield* Effect.logDebug("debug");
      yield* Effect.logInfo("info");
      yield* Effect.logWarning("warn");
      yield* Effect.logError("error");
      assert.deepStrictEqual(
        lines.map((line) => line.level),
        ["warn", "error"],
      );
    }).pipe(Effect.provide(layer));
  });

  it("maps LOG_LEVEL values, unknown ones to info", () => {
    assert.strictEqual(minimumLogLevel("DEBUG"), "Debug");
    assert.strictEqual(minimumLogLevel("trace"), "Trace");
    assert.strictEqual(minimumLogLevel(undefined), "Info");
    assert.strictEqual(minimumLogLevel("loud"), "Info");
  });
});

describe("mongoStatement", () => {
  it("keeps a command's shape and masks every value", () => {
    assert.strictEqual(
      mongoStatement({ find: "events", filter: { streamId: "device-1", password: "x" }, limit: 10 }),
      '{"find":"?","filter":{"streamId":"?","password":"?"},"limit":"?"}',
    );
    assert.strictEqual(
      mongoStatement({ insert: "events", documents: [{ a: 1 }, { b: 2 }] }),
      '{"insert":"?","documents":"[2]"}',
    );
  });
});
