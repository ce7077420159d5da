/**
 * Done-when, part 1 (real platform process, real Kafka and FerretDB, the simulator):
 * enrichment appears on the events and in the device read model; a hundred concurrent
 * readings for one location cost one fetch.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { weatherAt } from "../../services/external-source-simulator/readings.ts";
import { eventually } from "../harness/testEnvironment.ts";
import { type EnrichmentPlatform, postReadings, startEnrichmentPlatform } from "./enrichmentPlatform.ts";

let e2e: EnrichmentPlatform;
beforeAll(async () => {
  e2e = await startEnrichmentPlatform("enrich");
});
beforeEach((context) => {
  context.onTestFailed(() => console.error(`platform output:\n${e2e?.platform.output()}`));
});
afterAll(async () => {
  expect(await e2e?.stop()).toBe(0);
});

const weatherSource = (sourceId: string, extra: Record<string, unknown> = {}) => ({
  sourceId,
  name: "Weather",
  kind: "http-json",
  options: {
    url: `${e2e.simulator.url}/weather?lat={attributes.lat|round:2}&lon={attributes.lon|round:2}`,
    headers: { "x-api-key": { secret: "weather-key" } },
  },
  mapping: { outside_temp: "/temperature_c", outside_humidity: "/humidity_pct", observed_at: "/observed_at" },
  ...extra,
});

const setUpTenant = async (sources: ReadonlyArray<Record<string, unknown>>) => {
  const tenant = await e2e.newTenant();
  expect(
    (await e2e.call("PUT", "/v1/external-source-secrets/weather-key", tenant.key, { value: "k-e2e-secret" })).status,
  ).toBe(204);
  for (const source of sources) {
    const created = await e2e.call("POST", "/v1/external-sources", tenant.key, source);
    expect(created.status, JSON.stringify(created.json)).toBe(201);
  }
  return tenant;
};

describe("external-source enrichment end to end", () => {
  it("puts the enrichment on a TelemetryEnriched event and into the device's read model", async () => {
    const tenant = await setUpTenant([
      weatherSource("weather"),
      {
        sourceId: "sun",
        name: "Sun",
        kind: "sun-position",
        mapping: { sun_elevation: "/elevationDeg", daylight: "/daylight" },
      },
    ]);
    const deviceKey = await e2e.registerDevice(tenant.key, {
      deviceId: "panel-1",
      name: "Panel",
      attributes: { lat: 52.52437, lon: 13.41053 },
    });
    const { eventIds } = await postReadings(e2e, deviceKey, [{ values: { power_w: 410 } }]);

    const enriched = await e2e.nthEnriched(tenant.tenantId, "panel-1", 1);
    const observedAt = String(enriched.payload.enrichment.observed_at);
    const weather = weatherAt(52.52, 13.41, new Date(observedAt));
    expect(enriched.causationId).toBe(eventIds[0]);
    expect(enriched.payload).toMatchObject({
      deviceId: "panel-1",
      values: { power_w: 410 },
      enrichment: {
        outside_temp: weather.temperature_c,
        outside_humidity: weather.humidity_pct,
        sun_elevation: expect.any(Number),
        daylight: expect.any(Boolean),
      },
      enrichmentStatus: "complete",
      sourceEventId: eventIds[0],
    });
    expect(enriched.payload.sources.map((source) => [source.sourceId, source.status, source.circuit])).toEqual([
      ["sun", "ok", "closed"],
      ["weather", "ok", "closed"],
    ]);
    expect(e2e.simulator.stats().lastRequests.map((request) => request.url)).toContain("/weather?lat=52.52&lon=13.41");

    const view = await eventually(
      async () => {
        const reply = await e2e.call("GET", "/v1/devices/panel-1/enrichment", tenant.key);
        return reply.status === 200 ? reply.json : undefined;
      },
      { what: "the device's enrichment read model", timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(view.enrichment.outside_temp).toMatchObject({ value: weather.temperature_c, sourceId: "weather" });
    expect(view.enrichment.sun_elevation.sourceId).toBe("sun");
    expect(view.sources.weather).toMatchObject({ status: "ok", circuit: "closed" });
    expect((await e2e.call("GET", "/v1/devices/panel-1/enrichment", deviceKey)).status).toBe(200);

    // The secret went to the simulator in a header, and nowhere else.
    const secrets = await e2e.call("GET", "/v1/external-source-secrets", tenant.key);
    expect(secrets.json.secrets.map((secret: { name: string }) => secret.name)).toEqual(["weather-key"]);
    expect(JSON.stringify(secrets.json)).not.toContain("k-e2e-secret");
    expect(JSON.stringify((await e2e.call("GET", "/v1/external-sources/weather", tenant.key)).json)).not.toContain(
      "k-e2e-secret",
    );
    expect(e2e.platform.output()).not.toContain("k-e2e-secret");
  });

  it("serves a hundred concurrent readings at one location with one fetch", async () => {
    const tenant = await setUpTenant([weatherSource("weather", { cacheTtlMs: 600_000 })]);
    const deviceIds = Array.from({ length: 100 }, (_, i) => `meter-${i}`);
    for (let i = 0; i < deviceIds.length; i += 10) {
      await Promise.all(
        deviceIds
          .slice(i, i + 10)
          .map((deviceId) =>
            e2e.registerDevice(tenant.key, { deviceId, name: deviceId, attributes: { lat: -33.8688, lon: 151.2093 } }),
          ),
      );
    }
    const gatewayKey = await e2e.registerDevice(tenant.key, { deviceId: "gw", name: "Gateway", gatewayFor: deviceIds });
    const fetchesBefore = e2e.simulator.stats().byPath["/weather"] ?? 0;

    await postReadings(
      e2e,
      gatewayKey,
      deviceIds.map((deviceId, i) => ({ deviceId, values: { kwh: i } })),
    );

    const enriched = await eventually(
      async () => {
        const events = await e2e.db
          .collection("events")
          .find({ type: "TelemetryEnriched", tenantId: tenant.tenantId })
          .toArray();
        return events.length === deviceIds.length ? events : undefined;
      },
      { what: "100 TelemetryEnriched events", timeoutMs: 180_000, intervalMs: 250 },
    );
    expect((e2e.simulator.stats().byPath["/weather"] ?? 0) - fetchesBefore).toBe(1);
    const outcomes = enriched.map((event) => event.payload.sources[0].cache as string);
    expect(outcomes.filter((outcome) => outcome === "miss")).toHaveLength(1);
    expect(enriched.every((event) => event.payload.enrichmentStatus === "complete")).toBe(true);
  }, 300_000);
});
