/**
 * The ingest plugin end to end, over real HTTP against services/main.ts on the real Kafka
 * and FerretDB: every way to send readings, then the read models the worker builds from
 * the events (eventually: they follow Kafka).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../harness/testEnvironment.ts";
import { type IngestPlatform, secretFor, startIngestPlatform } from "./ingestPlatform.ts";
import { type AcceptedBody, getWith, ndjson, postTelemetry, problemOf } from "./ingestRequests.ts";

let ingest: IngestPlatform;
const keys = {
  pump1: secretFor("d", "pump1"),
  pump4: secretFor("d", "pump4"),
  pump5: secretFor("d", "pump5"),
  gateway: secretFor("d", "gateway"),
  tenant: secretFor("t", "acme"),
  otherTenant: secretFor("t", "globex"),
};
const send = (path: string, init?: RequestInit) => ingest.send(path, init);

beforeAll(async () => {
  ingest = await startIngestPlatform("happy");
  await ingest.seedKey({ secret: keys.pump1, kind: "device", tenantId: "acme", deviceId: "pump-1" });
  await ingest.seedKey({ secret: keys.pump4, kind: "device", tenantId: "acme", deviceId: "pump-4" });
  await ingest.seedKey({ secret: keys.pump5, kind: "device", tenantId: "acme", deviceId: "pump-5" });
  await ingest.seedKey({
    secret: keys.gateway,
    kind: "device",
    tenantId: "acme",
    deviceId: "gw-1",
    gatewayFor: ["pump-2", "pump-3"],
  });
  await ingest.seedKey({ secret: keys.tenant, kind: "tenant", tenantId: "acme" });
  await ingest.seedKey({ secret: keys.otherTenant, kind: "tenant", tenantId: "globex" });
});

afterAll(async () => {
  const code = await ingest?.stop();
  expect(code, `the platform did not shut down cleanly:\n${ingest?.platform.output().slice(-4000)}`).toBe(0);
});

/** Posts, expects 202, and checks the store grew by exactly the accepted readings. */
const accepted = async (body: unknown, options: Parameters<typeof postTelemetry>[2]) => {
  const before = await ingest.countEvents();
  const response = await postTelemetry(send, body, options);
  expect(response.status, await response.clone().text()).toBe(202);
  const result = (await response.json()) as AcceptedBody;
  expect(result.eventIds).toHaveLength(result.accepted);
  expect(await ingest.countEvents()).toBe(before + result.accepted);
  return result;
};

const latestOf = (deviceId: string, secret: string) =>
  getWith(send, `/v1/devices/${deviceId}/latest`, secret).then(async (response) => ({
    status: response.status,
    body: (await response.json()) as {
      values: Record<string, { value: unknown; ts: string }>;
      lastSeenAt: string | null;
    },
  }));

describe("POST /v1/telemetry", () => {
  it("accepts one reading (202 after the append)", async () => {
    const result = await accepted(
      { values: { temp: 21.5, "cpu.load": 0.25, running: true, mode: "eco" } },
      { secret: keys.pump1 },
    );
    expect(result).toMatchObject({ accepted: 1, rejected: [] });
  });

  it("accepts a JSON array batch", async () => {
    const now = Date.now();
    const batch = [1, 2, 3].map((i) => ({ ts: now - i * 1_000, values: { temp: 20 + i }, metadata: { seq: i } }));
    expect((await accepted(batch, { secret: keys.pump1 })).accepted).toBe(3);
  });

  it("accepts NDJSON", async () => {
    const body = ndjson(
      { values: { temp: 1 } },
      { values: { temp: 2 } },
      { ts: new Date().toISOString(), values: { temp: 3 } },
    );
    const result = await accepted(body, { secret: keys.pump1, contentType: "application/x-ndjson" });
    expect(result.accepted).toBe(3);
  });

  it("accepts payload v1 by path, query and header, upcast to v2", async () => {
    const flat = { deviceId: "pump-4", timestamp: Date.now() / 1000, humidity: 40 };
    await accepted(flat, { secret: keys.pump4, path: "/v1/telemetry/v1" });
    await accepted({ ...flat, humidity: 41 }, { secret: keys.pump4, path: "/v1/telemetry?version=1" });
    await accepted(
      { ...flat, humidity: 42, timestamp: new Date().toISOString() },
      {
        secret: keys.pump4,
        headers: { "anansky-payload-version": "1" },
      },
    );
    await eventually(
      async () => {
        const latest = await latestOf("pump-4", keys.tenant);
        return latest.body.values?.humidity?.value === 42 ? true : undefined;
      },
      { what: "the v1 readings in latest" },
    );
  });

  it("lets a gateway send for the devices it is the gateway for", async () => {
    const result = await accepted(
      [
        { deviceId: "pump-2", values: { temp: 5 } },
        { deviceId: "pump-3", values: { temp: 6 } },
      ],
      { secret: keys.gateway },
    );
    expect(result.accepted).toBe(2);
    await eventually(async () =>
      (await latestOf("pump-3", keys.tenant)).body.values?.temp?.value === 6 ? true : undefined,
    );
  });

  it("keeps the valid readings of a partial batch and reports the others by index", async () => {
    const result = await accepted(
      [{ values: { temp: 1 } }, { values: { temp: Number.NaN } }, { values: { temp: 3 } }, { value: 4 }],
      { secret: keys.pump1 },
    );
    expect(result.accepted).toBe(2);
    // JSON.stringify turns NaN into null.
    expect(result.rejected).toEqual([
      { index: 1, errors: [{ field: "values.temp", reason: "Expected a finite number, a boolean or a string" }] },
      { index: 3, errors: expect.arrayContaining([{ field: "value", reason: "Expected no excess property" }]) },
    ]);
  });

  it("answers a retried request with the same Idempotency-Key with the first response, storing nothing twice", async () => {
    const body = [{ values: { temp: 30 } }, { values: { temp: 31 } }];
    const headers = { "idempotency-key": `retry-${Date.now()}` };
    const before = await ingest.countEvents();
    const [first, concurrent] = await Promise.all([
      postTelemetry(send, body, { secret: keys.pump1, headers }),
      postTelemetry(send, body, { secret: keys.pump1, headers }),
    ]);
    const retry = await postTelemetry(send, body, { secret: keys.pump1, headers });
    const [a, b, c] = await Promise.all([first.json(), concurrent.json(), retry.json()]);
    expect([first.status, concurrent.status, retry.status]).toEqual([202, 202, 202]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await ingest.countEvents()).toBe(before + 2);
    const reused = await postTelemetry(send, [{ values: { temp: 99 } }], { secret: keys.pump1, headers });
    expect(reused.status).toBe(422);
    expect(await ingest.countEvents()).toBe(before + 2);
  });
});

describe("reads", () => {
  it("serves a device's latest values to its tenant and to its own key only", async () => {
    const latest = await eventually(
      async () => {
        const found = await latestOf("pump-1", keys.tenant);
        return found.status === 200 && found.body.values?.["cpu.load"] !== undefined ? found : undefined;
      },
      { what: "pump-1 in latest" },
    );
    expect(latest.body.values["cpu.load"]).toMatchObject({ value: 0.25 });
    expect(latest.body.values.running).toMatchObject({ value: true });
    expect(typeof latest.body.lastSeenAt).toBe("string");
    expect((await latestOf("pump-1", keys.pump1)).status).toBe(200);
    const otherDevice = await getWith(send, "/v1/devices/pump-1/latest", keys.pump4);
    expect(otherDevice.status).toBe(403);
    await problemOf(otherDevice);
    const otherTenant = await getWith(send, "/v1/devices/pump-1/latest", keys.otherTenant);
    expect(otherTenant.status).toBe(404);
    await problemOf(otherTenant);
  });

  it("pages through a time range across hour buckets, in ts order", async () => {
    const start = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
    const readings = Array.from({ length: 25 }, (_, i) => ({
      ts: new Date(start + i * 450_000).toISOString(),
      values: i % 5 === 0 ? { temp: i, "door.open": i % 2 === 0 } : { temp: i },
    }));
    await accepted(readings.reverse(), { secret: keys.pump5 });
    const from = new Date(start).toISOString();
    // The last reading is at start + 3 h; `to` is exclusive.
    const to = new Date(start + 3 * 3_600_000 + 1).toISOString();
    await eventually(
      async () => {
        const page = await getWith(send, `/v1/devices/pump-5/readings?from=${from}&to=${to}&limit=100`, keys.tenant);
        const body = (await page.json()) as { readings?: Array<unknown> };
        return body.readings?.length === 25 ? true : undefined;
      },
      { what: "25 readings of pump-5" },
    );

    const seen: Array<{ ts: string; value: number }> = [];
    let path = `/v1/devices/pump-5/readings?key=temp&from=${from}&to=${to}&limit=10`;
    for (let pages = 1; ; pages++) {
      const response = await getWith(send, path, keys.pump5);
      expect(response.status).toBe(200);
      const page = (await response.json()) as {
        readings: Array<{ ts: string; value: number }>;
        nextCursor: string | null;
      };
      seen.push(...page.readings);
      if (page.nextCursor === null) break;
      expect(pages).toBeLessThan(10);
      path = `/v1/devices/pump-5/readings?cursor=${encodeURIComponent(page.nextCursor)}&limit=10`;
    }
    expect(seen.map((reading) => reading.value)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(seen[1]?.ts).toBe(new Date(start + 450_000).toISOString());

    const door = (await (
      await getWith(send, `/v1/devices/pump-5/readings?key=door.open&from=${from}&to=${to}`, keys.tenant)
    ).json()) as {
      readings: Array<{ value: boolean }>;
    };
    expect(door.readings.map((reading) => reading.value)).toEqual([true, false, true, false, true]);
    expect((await getWith(send, `/v1/devices/pump-5/readings?from=${from}`, keys.otherTenant)).status).toBe(404);
  });
});
