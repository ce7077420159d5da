/**
 * Done-when, part 2 (real platform process, real Kafka and FerretDB, the simulator): an
 * outage opens the circuit while telemetry keeps flowing flagged, and recovery closes
 * it; requests to 127.0.0.1, 169.254.169.254, a name resolving to a loopback address,
 * and redirects to such places are refused (only the simulator's own host:port is
 * allow-listed and excepted).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../harness/platformProcess.ts";
import { eventually } from "../harness/testEnvironment.ts";
import { type EnrichmentPlatform, postReadings, startEnrichmentPlatform } from "./enrichmentPlatform.ts";

let e2e: EnrichmentPlatform;
beforeAll(async () => {
  e2e = await startEnrichmentPlatform("resilience");
});
beforeEach((context) => {
  context.onTestFailed(() => console.error(`platform output:\n${e2e?.platform.output()}`));
});
afterAll(async () => {
  e2e?.simulator.resetControl();
  expect(await e2e?.stop()).toBe(0);
});

const weatherCalls = () => e2e.simulator.stats().byPath["/weather"] ?? 0;

describe("external-source resilience end to end", () => {
  it("opens the circuit in an outage, keeps readings flowing flagged, and closes it on recovery", async () => {
    const tenant = await e2e.newTenant();
    const source = {
      sourceId: "weather",
      name: "Weather",
      kind: "http-json",
      options: { url: `${e2e.simulator.url}/weather?lat={attributes.lat}&lon={attributes.lon}` },
      mapping: { outside_temp: "/temperature_c" },
      retries: 0,
      cacheTtlMs: 0,
      circuitBreaker: { failureThreshold: 3, openMs: 3_000 },
    };
    expect((await e2e.call("POST", "/v1/external-sources", tenant.key, source)).status).toBe(201);
    const deviceKey = await e2e.registerDevice(tenant.key, {
      deviceId: "station-1",
      name: "Station",
      attributes: { lat: 48.1, lon: 11.6 },
    });
    let sent = 0;
    const sendAndAwait = async () => {
      sent += 1;
      await postReadings(e2e, deviceKey, [{ values: { temp: sent } }]);
      return e2e.nthEnriched(tenant.tenantId, "station-1", sent);
    };

    e2e.simulator.control({ outage: true, outageMode: "status", statusCode: 503 });
    const callsBefore = weatherCalls();
    const during = [];
    for (let i = 0; i < 5; i++) during.push(await sendAndAwait());
    e2e.simulator.control({ outage: false });

    // Every reading flowed on, flagged; three failures opened the circuit; then no more calls.
    expect(during.map((event) => event.payload.values.temp)).toEqual([1, 2, 3, 4, 5]);
    expect(during.every((event) => event.payload.enrichmentStatus === "unavailable")).toBe(true);
    const weather = during.map((event) => event.payload.sources[0]);
    expect(weather.map((outcome) => outcome?.circuit)).toEqual(["closed", "closed", "open", "open", "open"]);
    expect(weather.slice(0, 3).map((outcome) => outcome?.reason)).toEqual([
      "answered 503",
      "answered 503",
      "answered 503",
    ]);
    expect(String(weather[4]?.reason)).toMatch(/^circuit open/);
    expect(weatherCalls() - callsBefore).toBe(3);
    const view = await eventually(async () => {
      const reply = await e2e.call("GET", "/v1/devices/station-1/enrichment", tenant.key);
      return reply.json?.sources?.weather?.circuit === "open" ? reply.json : undefined;
    });
    expect(view.sources.weather.status).toBe("unavailable");
    // The circuit's state and the failed calls are on /metrics too (2 = open).
    const metrics = await (await fetch(`${e2e.platform.url}/metrics`)).text();
    const circuit = metrics.split("\n").find((line) => line.startsWith("anansky_external_source_circuit_state{"));
    expect(circuit?.endsWith(" 2")).toBe(true);
    expect(metrics).toMatch(
      /anansky_external_source_request_duration_seconds_count\{[^}]*outcome="error"[^}]*\} [1-9]/,
    );

    // Recovery: once openMs has passed, a probe gets through and closes the circuit.
    const recovered = await eventually(
      async () => {
        const event = await sendAndAwait();
        return event.payload.enrichmentStatus === "complete" ? event : undefined;
      },
      { what: "a reading enriched after the outage", timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(recovered.payload.sources[0]).toMatchObject({ status: "ok", circuit: "closed" });
    expect((await sendAndAwait()).payload.sources[0]).toMatchObject({ status: "ok", circuit: "closed" });
    const recorded = await e2e.db
      .collection("events")
      .countDocuments({ type: "TelemetryRecorded", tenantId: tenant.tenantId });
    expect(recorded).toBe(sent);
    expect(
      await e2e.db.collection("events").countDocuments({ type: "TelemetryEnriched", tenantId: tenant.tenantId }),
    ).toBe(sent);
  });

  it("refuses 127.0.0.1, 169.254.169.254, a name resolving to loopback, and redirects to them", async () => {
    const tenant = await e2e.newTenant();
    const closedPort = await freePort();
    const define = (sourceId: string, url: string) =>
      e2e.call("POST", "/v1/external-sources", tenant.key, {
        sourceId,
        name: sourceId,
        kind: "http-json",
        options: { url },
        mapping: { anything: "/x" },
        retries: 0,
      });

    // Saving refuses what the policy refuses before any lookup.
    const loopback = await define("loopback", `http://127.0.0.1:${closedPort}/latest`);
    expect(loopback.status).toBe(400);
    expect(loopback.json.errors).toEqual([
      { field: "options.url", reason: `host 127.0.0.1:${closedPort} is not allow-listed` },
    ]);
    const metadata = await define("metadata", "http://169.254.169.254/latest/meta-data/iam/security-credentials/");
    expect(metadata.json.errors).toEqual([
      { field: "options.url", reason: "host 169.254.169.254 is not allow-listed" },
    ]);

    // What only shows at fetch time: the address a name resolves to, and where a redirect leads.
    const redirect = (to: string) => `${e2e.simulator.url}/redirect?to=${encodeURIComponent(to)}`;
    for (const [sourceId, url] of [
      ["name-to-loopback", `http://localhost:${closedPort}/weather`],
      ["redirect-to-metadata", redirect("http://169.254.169.254/latest/meta-data/")],
      ["redirect-to-loopback", redirect(`http://127.0.0.1:${closedPort}/`)],
      ["redirect-to-name", redirect(`http://localhost:${closedPort}/`)],
    ] as const) {
      expect((await define(sourceId, url)).status).toBe(201);
    }
    const redirectsBefore = e2e.simulator.stats().byPath["/redirect"] ?? 0;
    const deviceKey = await e2e.registerDevice(tenant.key, { deviceId: "probe-1", name: "Probe" });
    await postReadings(e2e, deviceKey, [{ values: { temp: 1 } }]);
    const enriched = await e2e.nthEnriched(tenant.tenantId, "probe-1", 1);

    expect(enriched.payload.enrichmentStatus).toBe("unavailable");
    const reasons = Object.fromEntries(enriched.payload.sources.map((source) => [source.sourceId, source.reason]));
    expect(reasons["name-to-loopback"]).toMatch(
      /^refused: localhost resolves to (127\.0\.0\.1|0:0:0:0:0:0:0:1), a loopback address$/,
    );
    expect(reasons["redirect-to-metadata"]).toBe("refused: redirect: host 169.254.169.254 is not allow-listed");
    expect(reasons["redirect-to-loopback"]).toBe(`refused: redirect: host 127.0.0.1:${closedPort} is not allow-listed`);
    expect(reasons["redirect-to-name"]).toMatch(/^refused: redirect: localhost resolves to .*, a loopback address$/);
    // The simulator saw the three redirects and nothing behind them.
    expect((e2e.simulator.stats().byPath["/redirect"] ?? 0) - redirectsBefore).toBe(3);
  });
});
