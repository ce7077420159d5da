import { assert, describe, expect, it } from "@effect/vitest";
import { Effect } from "effect";
import { type EventEnvelope, newEventId, type StreamId, type TenantId } from "../../core/index.ts";
import { TelemetryRecorded } from "./TelemetryRecorded.ts";

const tenantId = "acme" as TenantId;

/** An envelope as the store would hand it back. */
const stored = (schemaVersion: number, payload: unknown): EventEnvelope => ({
  id: newEventId(),
  type: "TelemetryRecorded",
  schemaVersion,
  streamId: "telemetry-acme-pump-1" as StreamId,
  streamVersion: 1,
  occurredAt: "2024-05-01T10:00:00.000Z",
  recordedAt: "2024-05-01T10:00:01.000Z",
  tenantId,
  causationId: null,
  correlationId: "c",
  traceparent: null,
  payload,
});

describe("TelemetryRecorded", () => {
  it.effect("stores dotted keys escaped and decodes them back as sent", () =>
    Effect.gen(function* () {
      const payload = { deviceId: "pump-1", ts: "2024-05-01T10:00:00.000Z", values: { "cpu.load": 0.5, temp: 21 } };
      const pending = TelemetryRecorded.make(payload, { tenantId });
      assert.deepStrictEqual(pending.payload, { ...payload, values: { "cpu%2Eload": 0.5, temp: 21 } });
      assert.strictEqual(pending.schemaVersion, 2);
      const decoded = yield* TelemetryRecorded.decode(stored(2, pending.payload));
      assert.deepStrictEqual(decoded.payload, payload);
    }),
  );

  it.effect("reads a stored v1 (flat) payload as v2: epoch seconds", () =>
    Effect.gen(function* () {
      const event = yield* TelemetryRecorded.decode(
        stored(1, { deviceId: "pump-1", timestamp: 1714557600, temp: 21.5, "cpu.load": 0.5, online: true }),
      );
      assert.strictEqual(event.schemaVersion, 2);
      assert.deepStrictEqual(event.payload, {
        deviceId: "pump-1",
        ts: "2024-05-01T10:00:00.000Z",
        values: { temp: 21.5, "cpu.load": 0.5, online: true },
      });
    }),
  );

  it.effect("reads a stored v1 payload with a zone-less ISO timestamp (UTC) or milliseconds", () =>
    Effect.gen(function* () {
      const iso = yield* TelemetryRecorded.decode(
        stored(1, { deviceId: "d", timestamp: "2024-05-01T10:00:00.5", t: 1 }),
      );
      const millis = yield* TelemetryRecorded.decode(stored(1, { deviceId: "d", timestamp: 1714557600500, t: 1 }));
      assert.strictEqual(iso.payload.ts, "2024-05-01T10:00:00.500Z");
      assert.strictEqual(millis.payload.ts, "2024-05-01T10:00:00.500Z");
    }),
  );

  it.effect("fails to decode a v1 payload without a usable timestamp, naming why", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(TelemetryRecorded.decode(stored(1, { deviceId: "d", t: 1 })));
      expect(error._tag).toBe("EventDecodeError");
      expect(error.reason).toContain("needs a timestamp");
      const nested = yield* Effect.flip(
        TelemetryRecorded.decode(stored(1, { deviceId: "d", timestamp: 1714557600, t: {} })),
      );
      expect(nested._tag).toBe("EventDecodeError");
    }),
  );
});
