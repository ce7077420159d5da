import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { defaultControlSettings, InvalidControlSettings } from "./controlSettings.ts";
import { failurePattern, seededRandom } from "./faults.ts";
import { type ExternalSourceSimulator, startExternalSourceSimulator } from "./startExternalSourceSimulator.ts";

let simulator: ExternalSourceSimulator;
beforeAll(async () => {
  simulator = await startExternalSourceSimulator({ seed: 7 });
});
afterEach(() => {
  simulator.resetControl();
  simulator.resetStats();
});
afterAll(() => simulator.close());

const weather = "/weather?lat=1&lon=2";

const post = async (path: string, body?: unknown) => {
  const response = await fetch(`${simulator.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
};

/** Statuses of `count` requests sent one after another (the error sequence follows arrival order). */
const statusesOf = async (count: number): Promise<ReadonlyArray<number>> => {
  const statuses: Array<number> = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${simulator.url}${weather}`);
    await response.arrayBuffer();
    statuses.push(response.status);
  }
  return statuses;
};

describe("the seeded sequence", () => {
  it("gives the same draws for the same seed and others for another seed", () => {
    const draws = (seed: number) => Array.from({ length: 5 }, seededRandom(seed));
    expect(draws(42)).toEqual(draws(42));
    expect(draws(42)).not.toEqual(draws(43));
    for (const draw of draws(42)) expect(draw >= 0 && draw < 1).toBe(true);
  });
});

describe("the control API", () => {
  it("answers the defaults, applies a partial update, and resets", async () => {
    expect((await fetch(`${simulator.url}/_control`).then((r) => r.json())) as unknown).toEqual(
      defaultControlSettings(7),
    );
    expect((await post("/_control", { latencyMs: 5 })).body).toMatchObject({ latencyMs: 5, errorRate: 0 });
    expect((await post("/_control", { errorRate: 0.25 })).body).toMatchObject({ latencyMs: 5, errorRate: 0.25 });
    expect((await post("/_control/reset")).body).toEqual(defaultControlSettings(7));
  });

  it.each([
    ["an unknown key", { errorrate: 0.5 }],
    ["a rate above 1", { errorRate: 1.5 }],
    ["a negative latency", { latencyMs: -1 }],
    ["an unknown outage mode", { outageMode: "explode" }],
    ["a success status", { statusCode: 200 }],
    ["an array", [1]],
    ["broken JSON", "{"],
  ])("refuses %s with a 400 problem and changes nothing", async (_, body) => {
    const { status, body: problem } = await post("/_control", body);
    expect(status).toBe(400);
    expect(problem).toMatchObject({ status: 400, title: "Invalid control settings" });
    expect(simulator.settings()).toEqual(defaultControlSettings(7));
  });

  it("throws the same refusal from the programmatic API", () => {
    expect(() => simulator.control({ errorRate: 2 })).toThrow(InvalidControlSettings);
  });
});

describe("latency", () => {
  it("delays every simulated answer by at least latencyMs", async () => {
    simulator.control({ latencyMs: 200 });
    const started = performance.now();
    const response = await fetch(`${simulator.url}${weather}`);
    // Node timers may fire up to a millisecond early; the bound only guards against no delay.
    expect(performance.now() - started).toBeGreaterThanOrEqual(198);
    expect(response.status).toBe(200);
  });
});

describe("error rate", () => {
  it("fails exactly the requests failurePattern predicts, again after the rate is set again", async () => {
    simulator.control({ errorRate: 0.5 });
    const expected = failurePattern(7, 0.5, 12).map((fails) => (fails ? 503 : 200));
    expect(expected).toContain(503);
    expect(expected).toContain(200);
    expect(await statusesOf(12)).toEqual(expected);
    simulator.control({ errorRate: 0.5 });
    expect(await statusesOf(12)).toEqual(expected);
  });

  it("follows a new seed, and answers the configured status", async () => {
    await post("/_control", { errorRate: 0.3, seed: 99, statusCode: 500 });
    expect(await statusesOf(20)).toEqual(failurePattern(99, 0.3, 20).map((fails) => (fails ? 500 : 200)));
  });

  it("never fails at rate 0 and always fails at rate 1", async () => {
    expect(await statusesOf(5)).toEqual([200, 200, 200, 200, 200]);
    simulator.control({ errorRate: 1 });
    expect(await statusesOf(3)).toEqual([503, 503, 503]);
  });
});

describe("outages", () => {
  it("answers 503 (or the configured status) to every simulated request, never to control", async () => {
    await post("/_control", { outage: true });
    expect(await statusesOf(3)).toEqual([503, 503, 503]);
    const injected = await fetch(`${simulator.url}/devices/d1/calibration`);
    expect(injected.headers.get("content-type")).toBe("application/problem+json");
    simulator.control({ statusCode: 429 });
    expect(await statusesOf(1)).toEqual([429]);
    expect((await fetch(`${simulator.url}/_stats`)).status).toBe(200);
    await post("/_control", { outage: false });
    expect(await statusesOf(1)).toEqual([200]);
  });

  it("hangs until the client gives up (mode hang)", async () => {
    simulator.control({ outage: true, outageMode: "hang" });
    const started = performance.now();
    const error = await fetch(`${simulator.url}${weather}`, { signal: AbortSignal.timeout(300) }).catch((e) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect(error.name).toBe("TimeoutError");
    expect(performance.now() - started).toBeGreaterThanOrEqual(298);
    await expect.poll(() => simulator.stats().inFlight).toBe(0);
    expect(simulator.stats().lastRequests).toMatchObject([{ path: "/weather", status: null }]);
  });

  it("resets the connection (mode reset)", async () => {
    simulator.control({ outage: true, outageMode: "reset" });
    const error = await fetch(`${simulator.url}${weather}`).catch((e) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.cause).toMatchObject({ code: "ECONNRESET" });
    await expect.poll(() => simulator.stats().lastRequests[0]?.durationMs).not.toBeNull();
    expect(simulator.stats().lastRequests).toMatchObject([{ path: "/weather", status: null }]);
  });
});

it("close() ends hanging requests and stops listening", async () => {
  const own = await startExternalSourceSimulator();
  own.control({ outage: true, outageMode: "hang" });
  const hanging = fetch(`${own.url}${weather}`).catch((e) => e);
  await expect.poll(() => own.stats().inFlight).toBe(1);
  await own.close();
  expect(await hanging).toBeInstanceOf(TypeError);
  await expect(fetch(`${own.url}${weather}`)).rejects.toThrow(TypeError);
  await own.close(); // a second close is harmless
});
