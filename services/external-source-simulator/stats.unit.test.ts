import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ExternalSourceSimulator, startExternalSourceSimulator } from "./startExternalSourceSimulator.ts";
import { createRequestStats, lastRequestsLimit } from "./stats.ts";

let simulator: ExternalSourceSimulator;
beforeAll(async () => {
  simulator = await startExternalSourceSimulator();
});
afterEach(() => {
  simulator.resetControl();
  simulator.resetStats();
});
afterAll(() => simulator.close());

const get = (path: string, init?: RequestInit) => fetch(`${simulator.url}${path}`, init).then((r) => r.arrayBuffer());

describe("GET /_stats", () => {
  it("counts simulated requests by path, and not control or stats requests", async () => {
    await get("/weather?lat=1&lon=2");
    await get("/weather?lat=3&lon=4");
    await get("/devices/d1/calibration");
    await get("/nowhere");
    await get("/_control");
    await get("/_stats");
    const stats = await fetch(`${simulator.url}/_stats`).then((r) => r.json());
    expect(stats).toMatchObject({
      requests: 4,
      byPath: { "/weather": 2, "/devices/d1/calibration": 1, "/nowhere": 1 },
      inFlight: 0,
      concurrentMax: 1,
    });
    expect(stats.lastRequests).toMatchObject([
      { method: "GET", path: "/weather", url: "/weather?lat=1&lon=2", status: 200 },
      { method: "GET", path: "/weather", url: "/weather?lat=3&lon=4", status: 200 },
      { path: "/devices/d1/calibration", status: 200 },
      { path: "/nowhere", status: 404 },
    ]);
    expect(stats.lastRequests[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(Number.isNaN(Date.parse(stats.lastRequests[0].startedAt))).toBe(false);
  });

  it("records the most requests in flight at once", async () => {
    const concurrent = 25;
    const controller = new AbortController();
    const held = Array.from({ length: concurrent }, () =>
      get("/slow?ms=60000", { signal: controller.signal }).catch(() => "aborted"),
    );
    // Synchronise on the simulator's own count rather than on a sleep.
    await expect.poll(() => simulator.stats().inFlight).toBe(concurrent);
    controller.abort();
    expect(await Promise.all(held)).toEqual(Array(concurrent).fill("aborted"));
    await expect.poll(() => simulator.stats().inFlight).toBe(0);
    expect(simulator.stats()).toMatchObject({ requests: concurrent, concurrentMax: concurrent });
    expect(simulator.stats().lastRequests.every((request) => request.status === null)).toBe(true);
  });

  it("starts again from zero after POST /_stats/reset", async () => {
    await get("/air-quality?site=a");
    const response = await fetch(`${simulator.url}/_stats/reset`, { method: "POST" });
    expect(await response.json()).toEqual({ requests: 0, byPath: {}, inFlight: 0, concurrentMax: 0, lastRequests: [] });
    expect(simulator.stats().requests).toBe(0);
  });
});

describe("createRequestStats", () => {
  it("measures durations on its clock and counts a finish only once", () => {
    let clock = 1_000;
    const stats = createRequestStats(() => clock);
    const finish = stats.begin("GET", new URL("http://simulator/weather?lat=1&lon=2"));
    expect(stats.snapshot()).toMatchObject({ inFlight: 1, lastRequests: [{ status: null, durationMs: null }] });
    clock = 1_250;
    finish(200);
    finish(500);
    expect(stats.snapshot()).toMatchObject({
      requests: 1,
      inFlight: 0,
      lastRequests: [{ status: 200, durationMs: 250, startedAt: "1970-01-01T00:00:01.000Z" }],
    });
  });

  it("keeps only the latest requests and still counts them all", () => {
    const stats = createRequestStats();
    for (let i = 0; i < lastRequestsLimit + 5; i++) stats.begin("GET", new URL(`http://simulator/p${i}`))(200);
    const { requests, lastRequests } = stats.snapshot();
    expect(requests).toBe(lastRequestsLimit + 5);
    expect(lastRequests).toHaveLength(lastRequestsLimit);
    expect(lastRequests[0]?.path).toBe("/p5");
  });

  it("keeps requests still in flight across a reset", () => {
    const stats = createRequestStats();
    const finish = stats.begin("GET", new URL("http://simulator/slow"));
    stats.reset();
    expect(stats.snapshot()).toMatchObject({ requests: 0, inFlight: 1, concurrentMax: 1 });
    finish(null);
    expect(stats.snapshot().inFlight).toBe(0);
  });
});
