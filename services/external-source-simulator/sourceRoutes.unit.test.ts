import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { weatherAt } from "./readings.ts";
import { defaultBigBodyBytes } from "./sourceRoutes.ts";
import { type ExternalSourceSimulator, startExternalSourceSimulator } from "./startExternalSourceSimulator.ts";

let clock = new Date("2025-06-01T12:34:56Z");
let simulator: ExternalSourceSimulator;
beforeAll(async () => {
  simulator = await startExternalSourceSimulator({ now: () => clock });
});
afterAll(() => simulator.close());

const getJson = async (path: string) => {
  const response = await fetch(`${simulator.url}${path}`);
  return { status: response.status, type: response.headers.get("content-type"), body: await response.json() };
};

describe("GET /weather", () => {
  it("answers the location and plausible readings for the current ten-minute bucket", async () => {
    const { status, body } = await getJson("/weather?lat=52.52&lon=13.405");
    expect(status).toBe(200);
    expect(body).toEqual({
      location: { lat: 52.52, lon: 13.405 },
      temperature_c: expect.any(Number),
      humidity_pct: expect.any(Number),
      wind_kph: expect.any(Number),
      observed_at: "2025-06-01T12:30:00.000Z",
    });
    expect(body.temperature_c).toBeGreaterThan(-60);
    expect(body.temperature_c).toBeLessThan(60);
    expect(body.humidity_pct).toBeGreaterThanOrEqual(0);
    expect(body.humidity_pct).toBeLessThanOrEqual(100);
    expect(body.wind_kph).toBeGreaterThanOrEqual(0);
  });

  it("is deterministic: same place and bucket, same answer, also from weatherAt", async () => {
    const first = await getJson("/weather?lat=52.52&lon=13.405");
    const second = await getJson("/weather?lat=52.520&lon=13.4050");
    expect(second.body).toEqual(first.body);
    expect(first.body).toEqual(weatherAt(52.52, 13.405, clock));
  });

  it("moves with the time bucket and differs between places", async () => {
    const before = await getJson("/weather?lat=52.52&lon=13.405");
    clock = new Date("2025-06-01T12:39:59Z");
    expect((await getJson("/weather?lat=52.52&lon=13.405")).body).toEqual(before.body);
    clock = new Date("2025-06-01T12:40:00Z");
    const after = await getJson("/weather?lat=52.52&lon=13.405");
    expect(after.body.observed_at).toBe("2025-06-01T12:40:00.000Z");
    expect(Math.abs(after.body.temperature_c - before.body.temperature_c)).toBeLessThan(3);
    const elsewhere = await getJson("/weather?lat=-33.87&lon=151.21");
    expect(elsewhere.body.temperature_c).not.toBe(after.body.temperature_c);
  });

  it.each(["", "?lat=52.5", "?lat=&lon=1", "?lat=91&lon=0", "?lat=0&lon=-181", "?lat=abc&lon=1"])(
    "refuses %j with a 400 problem",
    async (query) => {
      const { status, type, body } = await getJson(`/weather${query}`);
      expect(status).toBe(400);
      expect(type).toBe("application/problem+json");
      expect(body).toMatchObject({ status: 400, title: "Invalid query" });
    },
  );
});

describe("GET /air-quality", () => {
  it("answers pm25, pm10 (never below pm25) and an AQI, the same every time", async () => {
    const first = await getJson("/air-quality?site=berlin-mitte");
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      site: "berlin-mitte",
      pm25: expect.any(Number),
      pm10: expect.any(Number),
      aqi: expect.any(Number),
    });
    expect(first.body.pm10).toBeGreaterThanOrEqual(first.body.pm25);
    expect(first.body.aqi).toBeGreaterThanOrEqual(0);
    expect(first.body.aqi).toBeLessThanOrEqual(500);
    expect((await getJson("/air-quality?site=berlin-mitte")).body).toEqual(first.body);
    expect((await getJson("/air-quality?site=lagos")).body.pm25).not.toBe(first.body.pm25);
  });

  it("refuses a missing site", async () => {
    expect((await getJson("/air-quality")).status).toBe(400);
  });
});

describe("GET /devices/{id}/calibration", () => {
  it("answers an offset and scale fixed per device", async () => {
    const first = await getJson("/devices/dev-1/calibration");
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ deviceId: "dev-1", offset: expect.any(Number), scale: expect.any(Number) });
    expect(Math.abs(first.body.offset)).toBeLessThanOrEqual(2);
    expect(first.body.scale).toBeGreaterThanOrEqual(0.95);
    expect(first.body.scale).toBeLessThan(1.05);
    expect((await getJson("/devices/dev-1/calibration")).body).toEqual(first.body);
    expect((await getJson("/devices/dev-2/calibration")).body).not.toEqual({ ...first.body, deviceId: "dev-2" });
  });
});

describe("GET /big", () => {
  it("sends 5 MiB of valid JSON with a Content-Length", async () => {
    const response = await fetch(`${simulator.url}/big`);
    expect(response.headers.get("content-length")).toBe(String(defaultBigBodyBytes));
    const text = await response.text();
    expect(text.length).toBe(defaultBigBodyBytes);
    expect(JSON.parse(text).padding).toHaveLength(defaultBigBodyBytes - 14);
  });

  it("streams without Content-Length when chunked, and lets a client stop reading early", async () => {
    const response = await fetch(`${simulator.url}/big?chunked=true&bytes=1000000`);
    expect(response.headers.get("content-length")).toBeNull();
    expect((await response.arrayBuffer()).byteLength).toBe(1_000_000);

    const controller = new AbortController();
    const partial = await fetch(`${simulator.url}/big?chunked=true`, { signal: controller.signal });
    const reader = partial.body?.getReader();
    expect((await reader?.read())?.value?.byteLength).toBeGreaterThan(0);
    controller.abort();
    await expect.poll(() => simulator.stats().inFlight).toBe(0);
  });

  it("refuses a size out of range", async () => {
    expect((await fetch(`${simulator.url}/big?bytes=1`)).status).toBe(400);
  });
});

describe("GET /redirect", () => {
  it("redirects anywhere it is told to, with 302 by default", async () => {
    const target = "http://169.254.169.254/latest/meta-data/";
    const response = await fetch(`${simulator.url}/redirect?to=${encodeURIComponent(target)}`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(target);
  });

  it("takes a status and resolves a relative target, which a following client then reaches", async () => {
    const manual = await fetch(`${simulator.url}/redirect?status=307&to=${encodeURIComponent("/slow?ms=0")}`, {
      redirect: "manual",
    });
    expect(manual.status).toBe(307);
    expect(manual.headers.get("location")).toBe(`${simulator.url}/slow?ms=0`);
    const followed = await fetch(`${simulator.url}/redirect?to=${encodeURIComponent("/slow?ms=0")}`);
    expect(await followed.json()).toEqual({ waitedMs: 0 });
  });

  it("refuses a missing target or a non-redirect status", async () => {
    expect((await fetch(`${simulator.url}/redirect`, { redirect: "manual" })).status).toBe(400);
    expect((await fetch(`${simulator.url}/redirect?to=/x&status=200`, { redirect: "manual" })).status).toBe(400);
  });
});

describe("GET /slow", () => {
  it("waits at least the asked time before answering", async () => {
    const started = performance.now();
    const { body } = await getJson("/slow?ms=150");
    // Node timers may fire up to a millisecond early; the bound only guards against no wait at all.
    expect(performance.now() - started).toBeGreaterThanOrEqual(148);
    expect(body).toEqual({ waitedMs: 150 });
  });

  it("refuses a negative wait", async () => {
    expect((await fetch(`${simulator.url}/slow?ms=-1`)).status).toBe(400);
  });
});

it("answers unknown paths with a 404 problem", async () => {
  const { status, type } = await getJson("/nowhere");
  expect(status).toBe(404);
  expect(type).toBe("application/problem+json");
});
