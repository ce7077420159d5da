import { describe, expect, it } from "@effect/vitest";
import type { EventId, EventOf, StreamId, TenantId } from "../../core/index.ts";
import { type EnrichedLatestDocument, enrichedLatestProjection } from "./enrichedLatestProjection.ts";
import type { SourceOutcome, TelemetryEnriched } from "./TelemetryEnriched.ts";

type Enriched = EventOf<typeof TelemetryEnriched>;

let sequence = 0;
const enriched = (
  ts: string,
  enrichment: Record<string, number>,
  sources: ReadonlyArray<Partial<SourceOutcome> & { sourceId: string }>,
): Enriched => ({
  id: `01900000-0000-7000-8000-${String(++sequence).padStart(12, "0")}` as EventId,
  type: "TelemetryEnriched",
  schemaVersion: 1,
  streamId: "telemetry-acme-pump-1" as StreamId,
  streamVersion: sequence,
  occurredAt: ts,
  recordedAt: ts,
  tenantId: "acme" as TenantId,
  causationId: null,
  correlationId: "test",
  traceparent: null,
  payload: {
    deviceId: "pump-1",
    ts,
    values: { temp: 20 },
    enrichment,
    enrichmentStatus: "complete",
    sources: sources.map((source) => ({
      kind: "http-json",
      status: "ok" as const,
      circuit: "closed" as const,
      keys: Object.keys(enrichment),
      fetchedAt: ts,
      ...source,
    })),
    fetchedAt: ts,
    sourceEventId: "01900000-0000-7000-8000-000000000000",
  },
});

const fold = (events: ReadonlyArray<Enriched>) =>
  events.reduce<EnrichedLatestDocument | undefined>(
    (doc, event) => enrichedLatestProjection.apply(doc, event),
    undefined,
  );

describe("enriched_latest projection", () => {
  const early = enriched("2025-06-01T10:00:00.000Z", { outside_temp: 10 }, [{ sourceId: "weather" }]);
  const late = enriched("2025-06-01T11:00:00.000Z", { outside_temp: 11 }, [{ sourceId: "weather" }]);
  const down = enriched("2025-06-01T12:00:00.000Z", {}, [
    { sourceId: "weather", status: "unavailable", circuit: "open", reason: "circuit open", keys: [] },
  ]);

  it("given enriched readings, when folded, then each key keeps its latest value and each source its last outcome", () => {
    expect(fold([early, late, down])).toEqual({
      tenantId: "acme",
      deviceId: "pump-1",
      enrichment: {
        outside_temp: {
          value: 11,
          ts: "2025-06-01T11:00:00.000Z",
          sourceId: "weather",
          fetchedAt: "2025-06-01T11:00:00.000Z",
        },
      },
      sources: {
        weather: { status: "unavailable", circuit: "open", reason: "circuit open", ts: "2025-06-01T12:00:00.000Z" },
      },
      lastEnrichedAt: "2025-06-01T12:00:00.000Z",
    });
  });

  it("given the same events in any order or twice, when folded, then the document is the same", () => {
    const expected = fold([early, late, down]);
    expect(fold([down, late, early])).toEqual(expected);
    expect(fold([late, early, down, late])).toEqual(expected);
  });

  it("given an event, when keyed, then the document id is the device's, like rm_latest", () => {
    expect(enrichedLatestProjection.key(early)).toBe("acme|pump-1");
    expect(enrichedLatestProjection.collection).toBe("rm_enriched_latest");
  });
});
