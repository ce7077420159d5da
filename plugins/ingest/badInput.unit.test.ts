/**
 * The e2e bad-input table, run in process on the in-memory stores: every case gets its
 * status and a problem+json body, and the store holds no more events than before.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest";
import { badInputCases } from "../../test/ingest/badInputs.ts";
import { getWith, postTelemetry, problemOf } from "../../test/ingest/ingestRequests.ts";
import { adminToken, type InMemoryIngest, inMemoryIngest } from "../../test/ingest/inMemoryIngest.ts";

const keys = {
  device: "ak_d_pump-1",
  retired: "ak_d_retired-1",
  revoked: "ak_d_revoked",
  tenant: "ak_t_acme",
  otherTenant: "ak_t_globex",
  admin: adminToken,
};
let platform: InMemoryIngest;
const send = (path: string, init?: RequestInit) => platform.request(path, init);

/** A body arriving in 64 KiB chunks without Content-Length. */
const streamed = (totalBytes: number) => {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= totalBytes) return controller.close();
      sent += 64 * 1024;
      controller.enqueue(new TextEncoder().encode("x".repeat(64 * 1024)));
    },
  });
};

beforeAll(async () => {
  platform = inMemoryIngest();
  await platform.seedKey({ secret: keys.device, kind: "device", tenantId: "acme", deviceId: "pump-1" });
  await platform.seedKey({ secret: keys.retired, kind: "device", tenantId: "acme", deviceId: "retired-1" });
  await platform.seedKey({
    secret: keys.revoked,
    kind: "device",
    tenantId: "acme",
    deviceId: "pump-1",
    status: "revoked",
  });
  await platform.seedKey({ secret: keys.tenant, kind: "tenant", tenantId: "acme" });
  await platform.seedKey({ secret: keys.otherTenant, kind: "tenant", tenantId: "globex" });
  await platform.seedDevice("acme", "retired-1", "decommissioned");
  expect((await postTelemetry(send, { values: { temp: 1 } }, { secret: keys.device })).status).toBe(202);
  await platform.project();
});
afterAll(() => platform.dispose());

const cases = badInputCases({
  post:
    (body, options = {}) =>
    () =>
      postTelemetry(send, body, { secret: keys.device, ...options }),
  get:
    (path, secret = keys.tenant) =>
    () =>
      getWith(send, path, secret ?? undefined),
  postStreamed: (totalBytes) => async () =>
    send("/v1/telemetry", {
      method: "POST",
      headers: { authorization: `Bearer ${keys.device}`, "content-type": "application/json" },
      body: streamed(totalBytes),
      duplex: "half",
    } as RequestInit),
  keys,
});

describe("bad input in process", () => {
  it.each(cases)("$name → $status", async ({ request, status, says }) => {
    const before = (await platform.events()).length;
    const response = await request();
    const problem = await problemOf(response);
    expect({ status: response.status, problemStatus: problem.status }).toEqual({ status, problemStatus: status });
    if (says !== undefined) {
      expect(
        [problem.title, problem.detail, ...(problem.errors ?? []).map((e) => `${e.field}: ${e.reason}`)].join("\n"),
      ).toContain(says);
    }
    if (status === 413) expect(response.headers.get("connection")).toBe("close");
    expect((await platform.events()).length).toBe(before);
  });
});
