/**
 * The whole request path in process, on the in-memory stores: what a device sends, what
 * is stored, what the read routes answer after the projections ran.
 */
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest";
import { type AcceptedBody, getWith, ndjson, postTelemetry, problemOf } from "../../test/ingest/ingestRequests.ts";
import { type InMemoryIngest, inMemoryIngest } from "../../test/ingest/inMemoryIngest.ts";
import { defaultIngestLimits } from "./ingestLimits.ts";

const device = "ak_d_pump-1-secret";
const gateway = "ak_d_gateway-secret";
const tenant = "ak_t_acme-secret";
const otherTenant = "ak_t_globex-secret";

let platform: InMemoryIngest;
const send = (path: string, init?: RequestInit) => platform.request(path, init);

const seed = async () => {
  await platform.seedKey({ secret: device, kind: "device", tenantId: "acme", deviceId: "pump-1" });
  await platform.seedKey({
    secret: gateway,
    kind: "device",
    tenantId: "acme",
    deviceId: "gw-1",
    gatewayFor: ["pump-2"],
  });
  await platform.seedKey({ secret: tenant, kind: "tenant", tenantId: "acme" });
  await platform.seedKey({ secret: otherTenant, kind: "tenant", tenantId: "globex" });
};

beforeEach(async () => {
  platform = inMemoryIngest();
  await seed();
});
afterEach(() => platform.dispose());

const now = () => Date.now();

describe("POST /v1/telemetry in process", () => {
  it("records one reading on the device's stream and answers 202 with its event id", async () => {
    const response = await postTelemetry(
      send,
      { values: { temp: 21.5, "cpu.load": 0.5, on: true } },
      { secret: device },
    );
    expect(response.status).toBe(202);
    const body = (await response.json()) as AcceptedBody;
    expect(body).toMatchObject({ accepted: 1, rejected: [] });
    const events = await platform.events();
    expect(events.map((event) => [event.id, event.streamId, event.tenantId])).toEqual([
      [body.eventIds[0], "telemetry-acme-pump-1", "acme"],
    ]);
    // Stored escaped, so a MongoDB-wire store accepts the dotted key.
    expect(events[0]?.payload).toMatchObject({
      deviceId: "pump-1",
      values: { temp: 21.5, "cpu%2Eload": 0.5, on: true },
    });
  });

  it("keeps the valid items of a partial batch and reports the others by index", async () => {
    const response = await postTelemetry(
      send,
      [{ values: { temp: 1 } }, { values: { temp: "x".repeat(300) } }, { values: { temp: 3 }, extra: true }],
      { secret: device },
    );
    expect(response.status).toBe(202);
    const body = (await response.json()) as AcceptedBody;
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((rejection) => [rejection.index, rejection.errors[0]?.field])).toEqual([
      [1, "values.temp"],
      [2, "extra"],
    ]);
    expect(await platform.events()).toHaveLength(1);
  });

  it("refuses a batch with no valid item as a whole, naming each item's issues", async () => {
    const response = await postTelemetry(send, [{ values: {} }, { values: { temp: 1 }, ts: now() + 3_600_000 }], {
      secret: device,
    });
    expect(response.status).toBe(400);
    const problem = await problemOf(response);
    expect(problem.errors?.map((issue) => issue.field)).toEqual(["0.values", "1.ts"]);
    expect(await platform.events()).toHaveLength(0);
  });

  it("lets a gateway send for its devices only: another device is 403 for that item", async () => {
    const response = await postTelemetry(
      send,
      [
        { deviceId: "pump-2", values: { temp: 1 } },
        { deviceId: "pump-9", values: { temp: 2 } },
      ],
      { secret: gateway },
    );
    const body = (await response.json()) as AcceptedBody;
    expect(body.accepted).toBe(1);
    expect(body.rejected[0]?.errors[0]?.reason).toContain("may not send for device pump-9");
    const alone = await postTelemetry(send, { deviceId: "pump-9", values: { temp: 2 } }, { secret: gateway });
    expect(alone.status).toBe(403);
    expect((await platform.events()).map((event) => event.streamId)).toEqual(["telemetry-acme-pump-2"]);
  });

  it("reads NDJSON, refusing malformed lines alone by their line number", async () => {
    const body = ndjson({ values: { temp: 1 } }, "", "{not json", { values: { temp: 2 } });
    const response = await postTelemetry(send, body, { secret: device, contentType: "application/x-ndjson" });
    const accepted = (await response.json()) as AcceptedBody;
    expect(accepted.accepted).toBe(2);
    expect(accepted.rejected.map((rejection) => rejection.index)).toEqual([2]);
  });

  it("upcasts v1 payloads chosen by path, query or header", async () => {
    const flat = { deviceId: "pump-1", timestamp: Math.floor(now() / 1000), temp: 20 };
    for (const options of [
      { path: "/v1/telemetry/v1" },
      { path: "/v1/telemetry?version=1" },
      { headers: { "anansky-payload-version": "1" } },
    ]) {
      const response = await postTelemetry(send, flat, { secret: device, ...options });
      expect(response.status).toBe(202);
    }
    const events = await platform.events();
    expect(events.map((event) => [event.schemaVersion, (event.payload as { values: unknown }).values])).toEqual([
      [2, { temp: 20 }],
      [2, { temp: 20 }],
      [2, { temp: 20 }],
    ]);
  });

  it("refuses decommissioned devices with 403", async () => {
    await platform.seedDevice("acme", "pump-1", "decommissioned");
    const response = await postTelemetry(send, { values: { temp: 1 } }, { secret: device });
    expect(response.status).toBe(403);
    expect((await problemOf(response)).detail).toContain("decommissioned");
  });

  it("rate-limits per device with 429 and Retry-After, taking nothing from a refused request", async () => {
    await platform.dispose();
    platform = inMemoryIngest({ ...defaultIngestLimits, rateBurst: 5, ratePerSecond: 1 });
    await seed();
    const five = Array.from({ length: 5 }, (_, i) => ({ values: { n: i } }));
    expect((await postTelemetry(send, five, { secret: device })).status).toBe(202);
    const limited = await postTelemetry(send, [{ values: { n: 6 } }], { secret: device });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await platform.events()).toHaveLength(5);
  });
});

describe("Idempotency-Key in process", () => {
  it("replays the first response and stores nothing twice, even for concurrent copies", async () => {
    const body = [{ values: { temp: 1 } }, { values: { temp: 2 } }];
    const headers = { "idempotency-key": "retry-1" };
    const [first, second] = await Promise.all([
      postTelemetry(send, body, { secret: device, headers }),
      postTelemetry(send, body, { secret: device, headers }),
    ]);
    const third = await postTelemetry(send, body, { secret: device, headers });
    const bodies = await Promise.all([first, second, third].map((response) => response.json()));
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    expect(third.headers.get("idempotent-replayed")).toBe("true");
    expect(await platform.events()).toHaveLength(2);
  });

  it("refuses a key reused for a different request with 422", async () => {
    const headers = { "idempotency-key": "retry-2" };
    await postTelemetry(send, { values: { temp: 1 } }, { secret: device, headers });
    const reused = await postTelemetry(send, { values: { temp: 2 } }, { secret: device, headers });
    expect(reused.status).toBe(422);
    expect(await platform.events()).toHaveLength(1);
  });
});

describe("reads in process", () => {
  it("serves latest values and paged readings after the projections ran, scoped by tenant", async () => {
    const start = now() - 3 * 3_600_000;
    const readings = Array.from({ length: 30 }, (_, i) => ({ ts: start + i * 360_000, values: { temp: i, "a.b": i } }));
    expect((await postTelemetry(send, readings, { secret: device })).status).toBe(202);
    await platform.project();

    const latest = await (await getWith(send, "/v1/devices/pump-1/latest", tenant)).json();
    expect(latest).toMatchObject({ deviceId: "pump-1", values: { temp: { value: 29 }, "a.b": { value: 29 } } });
    expect((await getWith(send, "/v1/devices/pump-1/latest", device)).status).toBe(200);
    expect((await getWith(send, "/v1/devices/pump-1/latest", otherTenant)).status).toBe(404);

    const seen: Array<number> = [];
    let path = `/v1/devices/pump-1/readings?key=a.b&from=${new Date(start).toISOString()}&limit=7`;
    for (let pages = 0; pages < 10; pages++) {
      const page = (await (await getWith(send, path, tenant)).json()) as {
        readings: Array<{ value: number }>;
        nextCursor: string | null;
      };
      seen.push(...page.readings.map((reading) => reading.value));
      if (page.nextCursor === null) break;
      path = `/v1/devices/pump-1/readings?cursor=${page.nextCursor}&limit=7`;
    }
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });
});
