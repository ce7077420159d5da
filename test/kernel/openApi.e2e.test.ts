/**
 * The running platform serves a valid OpenAPI 3.1 document built from the same Schemas
 * that validate requests, and a browsable page for it.
 */
import SwaggerParser from "@apidevtools/swagger-parser";
import { afterAll, describe, expect, it } from "vitest";
import { type PlatformProcess, startPlatform } from "../harness/platformProcess.ts";
import { uniqueName } from "../harness/testEnvironment.ts";

let platform: PlatformProcess | undefined;
afterAll(async () => {
  await platform?.stop();
});

describe("OpenAPI", () => {
  it("serves a valid OpenAPI 3.1 document and a docs page", async () => {
    platform = await startPlatform({ MODE: "server", ANANSKY_TOPIC_PREFIX: uniqueName("openapi") });
    const response = await fetch(`${platform.url}/openapi.json`);
    expect(response.status).toBe(200);
    const spec = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toBe("3.1.0");
    await expect(SwaggerParser.validate(structuredClone(spec) as never)).resolves.toBeTruthy();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        "/healthz",
        "/admin/dead-letters/{id}/replay",
        "/v1/devices",
        "/v1/devices/{deviceId}",
        "/v1/telemetry",
        "/v1/devices/{deviceId}/readings",
      ]),
    );
    const docs = await fetch(`${platform.url}/docs`);
    expect(docs.headers.get("content-type")).toContain("text/html");
    expect(await docs.text()).toContain("/openapi.json");
  });
});
