/**
 * Hostile and broken input against the running platform over real HTTP: each request
 * gets the right 4xx with a problem+json body, and the event store holds exactly what it
 * held before (counted in the `events` collection around every request).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { badInputCases } from "./badInputs.ts";
import { adminToken, type IngestPlatform, secretFor, startIngestPlatform } from "./ingestPlatform.ts";
import { getWith, postStreamed, postTelemetry, problemOf } from "./ingestRequests.ts";

let ingest: IngestPlatform;
const keys = {
  device: secretFor("d", "pump1"),
  retired: secretFor("d", "retired"),
  revoked: secretFor("d", "revoked"),
  tenant: secretFor("t", "acme"),
  otherTenant: secretFor("t", "globex"),
};
const send = (path: string, init?: RequestInit) => ingest.send(path, init);

beforeAll(async () => {
  ingest = await startIngestPlatform("bad");
  await ingest.seedKey({ secret: keys.device, kind: "device", tenantId: "acme", deviceId: "pump-1" });
  await ingest.seedKey({ secret: keys.retired, kind: "device", tenantId: "acme", deviceId: "retired-1" });
  await ingest.seedKey({
    secret: keys.revoked,
    kind: "device",
    tenantId: "acme",
    deviceId: "pump-1",
    status: "revoked",
  });
  await ingest.seedKey({ secret: keys.tenant, kind: "tenant", tenantId: "acme" });
  await ingest.seedKey({ secret: keys.otherTenant, kind: "tenant", tenantId: "globex" });
  await ingest.seedDevice("acme", "retired-1", "decommissioned");
  // One stored reading, so reads of pump-1 have a device to find.
  expect((await postTelemetry(send, { values: { temp: 1 } }, { secret: keys.device })).status).toBe(202);
});

afterAll(async () => {
  const code = await ingest?.stop();
  expect(code, `the platform did not shut down cleanly:\n${ingest?.platform.output().slice(-4000)}`).toBe(0);
});

const badInputs = badInputCases({
  post:
    (body, options = {}) =>
    () =>
      postTelemetry(send, body, { secret: keys.device, ...options }),
  get:
    (path, secret = keys.tenant) =>
    () =>
      getWith(send, path, secret ?? undefined),
  postStreamed: (totalBytes) => () => postStreamed(ingest.platform.url, keys.device, totalBytes),
  keys: { ...keys, admin: adminToken },
});

describe("bad input gets a 4xx problem and stores nothing", () => {
  it.each(badInputs)("$name → $status", async ({ request, status, says }) => {
    const before = await ingest.countEvents();
    const response = await request();
    const problem = await problemOf(response);
    expect({ status: response.status, problem }).toMatchObject({ status, problem: { status } });
    if (says !== undefined) {
      const text = [
        problem.title,
        problem.detail,
        ...(problem.errors ?? []).map((e) => `${e.field}: ${e.reason}`),
      ].join("\n");
      expect(text).toContain(says);
    }
    expect(await ingest.countEvents()).toBe(before);
  });

  it("covers at least 30 kinds of bad input", () => {
    expect(badInputs.length).toBeGreaterThanOrEqual(30);
  });
});
