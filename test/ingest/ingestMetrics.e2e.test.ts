/** Ingest's series on /metrics move with accepted and rejected telemetry. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../harness/testEnvironment.ts";
import { type IngestPlatform, secretFor, startIngestPlatform } from "./ingestPlatform.ts";
import { postTelemetry } from "./ingestRequests.ts";

let ingest: IngestPlatform;
beforeAll(async () => {
  ingest = await startIngestPlatform("metrics");
});
afterAll(async () => {
  await ingest?.stop();
});

/** The value of the first sample line of a series (with these label fragments), or 0. */
const sample = (text: string, series: string, ...labels: ReadonlyArray<string>): number => {
  const line = text
    .split("\n")
    .find((candidate) => candidate.startsWith(series) && labels.every((label) => candidate.includes(label)));
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
};

describe("ingest metrics", () => {
  it("counts accepted readings and rejections by reason", async () => {
    const secret = await ingest.seedKey({
      secret: secretFor("d", "m"),
      kind: "device",
      tenantId: "acme",
      deviceId: "m-1",
    });
    const partial = await postTelemetry(ingest.send, [{ values: { t: 1 } }, { values: { t: 2 } }, { values: {} }], {
      secret,
    });
    expect(partial.status).toBe(202);
    expect((await postTelemetry(ingest.send, { values: { t: 1 } }, { secret: "ak_d_nobody" })).status).toBe(401);
    const text = await eventually(
      async () => {
        const body = await (await ingest.send("/metrics")).text();
        return sample(body, "anansky_ingest_readings", "") >= 2 ? body : undefined;
      },
      { what: "the ingest counters" },
    );
    expect(sample(text, "anansky_ingest_rejections", 'reason="invalid_reading"')).toBeGreaterThanOrEqual(1);
    expect(sample(text, "anansky_ingest_rejections", 'reason="Unauthorized"')).toBeGreaterThanOrEqual(1);
  });
});
