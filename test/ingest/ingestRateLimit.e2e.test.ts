/**
 * The per-device rate limit over real HTTP, with the burst made small through the
 * environment: the request past the burst gets 429 with Retry-After and stores nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type IngestPlatform, secretFor, startIngestPlatform } from "./ingestPlatform.ts";
import { postTelemetry, problemOf } from "./ingestRequests.ts";

let ingest: IngestPlatform;
beforeAll(async () => {
  ingest = await startIngestPlatform("ratelimit", {
    ANANSKY_INGEST_RATE_BURST: "10",
    ANANSKY_INGEST_RATE_PER_SECOND: "1",
  });
});
afterAll(async () => {
  await ingest?.stop();
});

describe("rate limit", () => {
  it("answers 429 with Retry-After once a device spent its burst, storing nothing of the refused request", async () => {
    const secret = await ingest.seedKey({
      secret: secretFor("d", "rl"),
      kind: "device",
      tenantId: "acme",
      deviceId: "rl-1",
    });
    const readings = (count: number) => Array.from({ length: count }, (_, i) => ({ values: { n: i } }));
    const accepted = await postTelemetry(ingest.send, readings(10), { secret });
    expect(accepted.status).toBe(202);
    const before = await ingest.countEvents();
    const refused = await postTelemetry(ingest.send, readings(5), { secret });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await problemOf(refused)).status).toBe(429);
    expect(await ingest.countEvents()).toBe(before);
  });
});
