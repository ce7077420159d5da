// Whole runs: against a loopback stub (real clock, small counts) and on a simulated
// clock with an in-process fetch (a minute of load in milliseconds, deterministic).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, assert, describe, it } from "@effect/vitest";
import { createSimulatedClock } from "./pacing.ts";
import { type DeviceCredentials, readKeysFile } from "./provisioning.ts";
import { InvalidSimulationOptions, runSimulation, type SimulationOptions } from "./runSimulation.ts";
import { startStubAnanskyApi } from "./stubAnanskyApi.ts";

const cleanUps: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanUps.splice(0).map((cleanUp) => cleanUp()));
});

const temporaryKeysFile = async (): Promise<string> => {
  const folder = await mkdtemp(join(tmpdir(), "anansky-sim-"));
  cleanUps.push(() => rm(folder, { recursive: true, force: true }));
  return join(folder, "sim-keys.json");
};

const simulatedDevices = (count: number): Array<DeviceCredentials> =>
  Array.from({ length: count }, (_, i) => ({ deviceId: `sim-${i}`, keyId: `k${i}`, key: `ak_d_${i}` }));

interface FetchedRequest {
  readonly url: string;
  readonly authorization: string;
  readonly body: ReadonlyArray<unknown>;
}

/** A fetch answering 202 for every reading (after `delay`), recording requests. */
const acceptingFetch = (delay: () => Promise<void> = async () => {}) => {
  const requests: Array<FetchedRequest> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const fetchImpl: typeof fetch = async (input, init) => {
    const body = init?.body === undefined ? [] : (JSON.parse(String(init.body)) as Array<unknown>);
    const headers = new Headers(init?.headers);
    requests.push({ url: String(input), authorization: headers.get("authorization") ?? "", body });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await delay();
    inFlight--;
    return Response.json({ accepted: body.length, rejected: [], eventIds: [] }, { status: 202 });
  };
  return { fetchImpl, requests, maxInFlight: () => maxInFlight };
};

/** A run on simulated time, sending as pre-provisioned devices. */
const simulatedRun = (fetchImpl: typeof fetch, more: Partial<SimulationOptions> = {}) => {
  const clock = createSimulatedClock();
  return runSimulation({
    url: "http://127.0.0.1:8080",
    devices: simulatedDevices(more.deviceCount ?? 50),
    deviceCount: 50,
    ratePerSecond: 1000,
    durationSeconds: 60,
    batchSize: 100,
    seed: 42,
    clock,
    wallClock: () => Date.UTC(2026, 0, 1) + clock.now(),
    fetch: fetchImpl,
    ...more,
  });
};

const telemetryOnly = (requests: ReadonlyArray<FetchedRequest>) => requests.filter((r) => r.url.includes("/telemetry"));

describe("runSimulation on simulated time", () => {
  it("holds 1,000 readings/s within 10% over a minute while devices go quiet", async () => {
    const { fetchImpl, requests } = acceptingFetch();
    const summary = await simulatedRun(fetchImpl, { silenceProbability: 0.05 });
    const sent = telemetryOnly(requests).reduce((sum, request) => sum + request.body.length, 0);
    assert.isAbove(sent, 60_000 * 0.9);
    assert.isBelow(sent, 60_000 * 1.1);
    assert.deepInclude(summary, { outcome: "completed", stoppedBy: "duration", readingsSent: sent, accepted: sent });
    assert.isAbove(summary.silencePeriods, 0);
  });

  it("sends batches of --batch, each one device's, with its own key and increasing timestamps", async () => {
    const { fetchImpl, requests } = acceptingFetch();
    await simulatedRun(fetchImpl, { durationSeconds: 10, batchSize: 40 });
    const lastTsByKey = new Map<string, number>();
    for (const { authorization, body } of telemetryOnly(requests)) {
      assert.match(authorization, /^Bearer ak_d_\d+$/);
      assert.strictEqual(body.length, 40);
      for (const reading of body as Array<{ ts: number; values: Record<string, unknown> }>) {
        assert.hasAllKeys(reading, ["ts", "values"]);
        assert.isAbove(reading.ts, lastTsByKey.get(authorization) ?? 0);
        lastTsByKey.set(authorization, reading.ts);
      }
    }
    assert.strictEqual(lastTsByKey.size, 50);
  });

  it("repeats the same requests for the same seed, and not for another", async () => {
    const bodies = async (seed: number) => {
      const { fetchImpl, requests } = acceptingFetch();
      await simulatedRun(fetchImpl, { durationSeconds: 5, seed, spikeProbability: 0.05, silenceProbability: 0.1 });
      return telemetryOnly(requests).map(({ authorization, body }) => ({ authorization, body }));
    };
    const first = await bodies(7);
    assert.deepStrictEqual(await bodies(7), first);
    assert.notDeepEqual(await bodies(8), first);
  });

  it("stops at --count exactly, with a smaller last batch", async () => {
    const { fetchImpl, requests } = acceptingFetch();
    const summary = await simulatedRun(fetchImpl, { durationSeconds: undefined, count: 1050 });
    assert.deepStrictEqual(
      telemetryOnly(requests).map((request) => request.body.length),
      [...Array.from({ length: 10 }, () => 100), 50],
    );
    assert.deepInclude(summary, { stoppedBy: "count", readingsSent: 1050 });
  });

  it("keeps no more requests in flight than --concurrency", async () => {
    const { fetchImpl, maxInFlight } = acceptingFetch(() => new Promise((resolve) => setImmediate(resolve)));
    await simulatedRun(fetchImpl, { durationSeconds: 5, batchSize: 10, concurrency: 4 });
    assert.strictEqual(maxInFlight(), 4);
  });

  it("stops when the signal aborts and says it was interrupted", async () => {
    const interrupt = new AbortController();
    const { fetchImpl, requests } = acceptingFetch(async () => {
      if (requests.length >= 20) interrupt.abort();
    });
    const summary = await simulatedRun(fetchImpl, { signal: interrupt.signal });
    assert.deepInclude(summary, { outcome: "interrupted", stoppedBy: "signal" });
    assert.isBelow(telemetryOnly(requests).length, 40);
  });

  it("gives up with outcome 'failed' when the API stops answering mid-run", async () => {
    const { fetchImpl: accepting } = acceptingFetch();
    let calls = 0;
    const dying: typeof fetch = (input, init) =>
      ++calls <= 10 ? accepting(input, init) : Promise.reject(new TypeError("fetch failed"));
    const summary = await simulatedRun(dying);
    assert.deepInclude(summary, { outcome: "failed", stoppedBy: "unreachable" });
    assert.match(summary.error ?? "", /stopped answering/);
    assert.isAtLeast(summary.errorsByStatus.network ?? 0, 20);
  });

  it("rejects bad options before sending anything", async () => {
    const { fetchImpl, requests } = acceptingFetch();
    const error = await simulatedRun(fetchImpl, { batchSize: 0, ratePerSecond: -1 }).catch((e: unknown) => e);
    assert.instanceOf(error, InvalidSimulationOptions);
    assert.match((error as Error).message, /rate.*batch|batch.*rate/);
    assert.strictEqual(requests.length, 0);
  });
});

describe("runSimulation against a loopback stub of the API", () => {
  const startStub = async () => {
    const api = await startStubAnanskyApi({ adminToken: "admin-secret" });
    cleanUps.push(api.close);
    return api;
  };
  const run = (url: string, keysFilePath: string, more: Partial<SimulationOptions> = {}) =>
    runSimulation({
      url,
      keysFilePath,
      tenantId: "acme",
      deviceCount: 4,
      ratePerSecond: 2000,
      count: 300,
      batchSize: 25,
      seed: 1,
      ...more,
    });

  it("provisions with the admin token, then sends every reading with the devices' keys", async () => {
    const api = await startStub();
    const keysFilePath = await temporaryKeysFile();
    const progress: Array<number> = [];
    const summary = await run(api.url, keysFilePath, {
      adminToken: "admin-secret",
      onProgress: (snapshot) => progress.push(snapshot.readingsSent),
    });
    assert.deepInclude(summary, { outcome: "completed", readingsSent: 300, accepted: 300, devices: 4 });
    assert.deepStrictEqual(summary.provisioning, { registered: 4, reused: 0 });
    assert.strictEqual(progress.at(-1), 300);

    const saved = await readKeysFile(keysFilePath);
    const savedKeys = new Set(saved?.devices.map((device) => `Bearer ${device.key}`));
    const telemetry = api.requests.filter((request) => request.path === "/v1/telemetry");
    assert.strictEqual(telemetry.length, 12);
    assert.deepStrictEqual(new Set(telemetry.map((request) => request.authorization)), savedKeys);
    for (const request of telemetry) {
      assert.strictEqual((request.body as Array<unknown>).length, 25);
      assert.hasAllKeys((request.body as Array<object>)[0], ["ts", "values"]);
    }
  });

  it("reuses the keys file on a second run, and sends payload version 1 with each device's id", async () => {
    const api = await startStub();
    const keysFilePath = await temporaryKeysFile();
    await run(api.url, keysFilePath, { adminToken: "admin-secret" });
    const registrations = api.requests.filter((request) => request.path === "/v1/devices").length;
    const summary = await run(api.url, keysFilePath, { payloadVersion: 1 });
    assert.deepStrictEqual(summary.provisioning, { registered: 0, reused: 4 });
    assert.strictEqual(api.requests.filter((request) => request.path === "/v1/devices").length, registrations);
    const v1 = api.requests.filter((request) => request.query === "?version=1");
    assert.strictEqual(v1.length, 12);
    for (const request of v1) {
      const ids = new Set((request.body as Array<{ deviceId: string }>).map((reading) => reading.deviceId));
      assert.strictEqual(ids.size, 1); // one device per batch
    }
  });

  it("hints at deleting the keys file when the API refuses every device key", async () => {
    const api = await startStub();
    const keysFilePath = await temporaryKeysFile();
    await run(api.url, keysFilePath, { adminToken: "admin-secret" });
    api.forgetDeviceKeys();
    const summary = await run(api.url, keysFilePath);
    assert.deepInclude(summary, { accepted: 0, failedReadings: 300 });
    assert.deepStrictEqual(summary.errorsByStatus, { 401: 12 });
    assert.include(summary.hint ?? "", keysFilePath);
  });

  it("fails before sending when nothing listens at the URL", async () => {
    const api = await startStub();
    const keysFilePath = await temporaryKeysFile();
    await run(api.url, keysFilePath, { adminToken: "admin-secret" });
    await api.close();
    const error = await run(api.url, keysFilePath).catch((e: unknown) => e);
    assert.match(String(error), /cannot reach the API/);
  });
});
