import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest";
import { Effect, ManagedRuntime, Stream } from "effect";
import { Hono } from "hono";
import { problemErrorHandler } from "../../core/http/problemResponses.ts";
import { EventStore, forgetCachedKeys, hashApiKey, ReadModelStore } from "../../core/index.ts";
import { jsonResponse } from "../../core/outbound/OutboundHttp.ts";
import { applyProjectionBatch } from "../../core/projections/applyProjectionBatch.ts";
import { enrichedLatestProjection } from "./enrichedLatestProjection.ts";
import { enrichmentRoutes } from "./enrichmentRoutes.ts";
import { externalSourceTestLayer } from "./externalSourceTestLayer.ts";
import { httpJsonKind } from "./kinds/httpJsonKind.ts";
import { sunPositionKind } from "./kinds/sunPositionKind.ts";
import { secretRoutes } from "./secretRoutes.ts";
import { sourceRoutes } from "./sourceRoutes.ts";

const tenantKey = "ak_t_routes_test_acme";
const otherTenantKey = "ak_t_routes_test_other";
const deviceKey = "ak_d_routes_test_pump";

// biome-ignore lint/suspicious/noExplicitAny: replies are inspected loosely
type Json = any;

let runtime: ManagedRuntime.ManagedRuntime<EventStore | ReadModelStore, never>;
let app: Hono;

const seedKey = (secret: string, doc: Record<string, unknown>) =>
  Effect.promise(() => hashApiKey(secret)).pipe(
    Effect.flatMap((id) =>
      ReadModelStore.use((store) =>
        store.writeMany("rm_api_keys", [{ id, doc: { keyId: id.slice(0, 12), status: "active", ...doc } }]),
      ),
    ),
  );

beforeEach(async () => {
  forgetCachedKeys();
  runtime = ManagedRuntime.make(externalSourceTestLayer((request) => Effect.succeed(jsonResponse(request.url, {}))));
  const context = { run: <A, E>(effect: Effect.Effect<A, E, never>) => runtime.runPromise(effect) };
  app = new Hono();
  app.onError(problemErrorHandler);
  const kinds = () => [httpJsonKind, sunPositionKind];
  app.route("/", sourceRoutes(context as never, kinds));
  app.route("/", secretRoutes(context as never));
  app.route("/", enrichmentRoutes(context as never));
  await runtime.runPromise(
    Effect.all([
      seedKey(tenantKey, { kind: "tenant", tenantId: "acme" }),
      seedKey(otherTenantKey, { kind: "tenant", tenantId: "other" }),
      seedKey(deviceKey, { kind: "device", tenantId: "acme", deviceId: "pump-1" }),
    ]),
  );
});
afterEach(() => runtime.dispose());

const call = async (
  method: string,
  path: string,
  body?: unknown,
  key = tenantKey,
  headers: Record<string, string> = {},
) => {
  const response = await app.request(path, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    etag: response.headers.get("etag"),
    json: (text === "" ? undefined : JSON.parse(text)) as Json,
  };
};

const weather = {
  sourceId: "weather",
  name: "Weather",
  kind: "http-json",
  options: {
    url: "https://api.weather.example/now?lat={attributes.lat|round:2}&lon={attributes.lon|round:2}",
    headers: { "x-api-key": { secret: "weather-key" }, accept: "application/json" },
  },
  mapping: { outside_temp: "/temperature_c" },
};

describe("the external sources API (tenant key)", () => {
  it("given a valid source, when created, then it is stored with every default and readable", async () => {
    const created = await call("POST", "/v1/external-sources", weather);
    expect(created.status).toBe(201);
    expect(created.etag).toBe('"1"');
    expect(created.json).toMatchObject({
      sourceId: "weather",
      tenantId: "acme",
      kind: "http-json",
      timeoutMs: 2000,
      cacheTtlMs: 60000,
      retries: 2,
      rateLimit: { perSecond: 10, burst: 20 },
      circuitBreaker: { failureThreshold: 5, openMs: 30000 },
      trigger: {},
      version: 1,
    });
    expect((await call("GET", "/v1/external-sources/weather")).json.options).toEqual(weather.options);
    expect((await call("GET", "/v1/external-sources")).json.sources).toHaveLength(1);
    expect((await call("GET", "/v1/external-sources", undefined, otherTenantKey)).json.sources).toHaveLength(0);
    expect((await call("GET", "/v1/external-sources/weather", undefined, otherTenantKey)).status).toBe(404);
    expect((await call("POST", "/v1/external-sources", weather)).status).toBe(409);
  });

  it("given a source, when replaced with If-Match and removed, then versions move and it is gone", async () => {
    await call("POST", "/v1/external-sources", weather);
    const { sourceId: _id, ...spec } = weather;
    const replaced = await call("PUT", "/v1/external-sources/weather", { ...spec, retries: 0 }, tenantKey, {
      "if-match": '"1"',
    });
    expect(replaced.status).toBe(200);
    expect(replaced.json).toMatchObject({ retries: 0, version: 2 });
    expect((await call("PUT", "/v1/external-sources/weather", spec, tenantKey, { "if-match": '"1"' })).status).toBe(
      409,
    );
    expect((await call("DELETE", "/v1/external-sources/weather")).status).toBe(204);
    expect((await call("GET", "/v1/external-sources/weather")).status).toBe(404);
    expect((await call("DELETE", "/v1/external-sources/weather")).status).toBe(404);
    const types = await runtime.runPromise(
      EventStore.use((store) => Stream.runCollect(store.readStream("external-source-acme-weather" as never))),
    );
    expect(types.map((event) => event.type)).toEqual([
      "ExternalSourceDefined",
      "ExternalSourceDefined",
      "ExternalSourceRemoved",
    ]);
  });

  it("given invalid definitions, when posted, then every issue is named", async () => {
    const invalid = await call("POST", "/v1/external-sources", {
      sourceId: "Bad Id",
      name: "",
      kind: "http-json",
      mapping: { "a.b": "no-pointer" },
      retries: 9,
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json.errors.map((issue: { field: string }) => issue.field).sort()).toEqual(
      ["mapping.a.b", "name", "retries", "sourceId"].sort(),
    );
    const badKey = await call("POST", "/v1/external-sources", { ...weather, mapping: { "a.b": "/x" } });
    expect(badKey.json.errors[0].reason).toContain("enrichment keys are 1-64 letters");
    const unknownKind = await call("POST", "/v1/external-sources", { ...weather, kind: "ftp" });
    expect(unknownKind.json.errors).toEqual([
      { field: "kind", reason: "unknown kind ftp; this platform knows http-json, sun-position" },
    ]);
  });

  it("given URLs the outbound policy refuses, when posted, then they are refused before anything is stored", async () => {
    const refuse = async (url: string) =>
      (await call("POST", "/v1/external-sources", { ...weather, options: { url } })).json.errors?.[0]?.reason;
    expect(await refuse("http://169.254.169.254/latest/meta-data/")).toBe("host 169.254.169.254 is not allow-listed");
    expect(await refuse("http://127.0.0.1:8080/x")).toBe("host 127.0.0.1:8080 is not allow-listed");
    expect(await refuse("https://{attributes.host}/x")).toContain("fixed http:// or https:// host");
    expect(await refuse("https://api.weather.example{values.port}/x")).toContain("fixed http:// or https:// host");
    expect(await refuse("file:///etc/passwd")).toContain("fixed http:// or https:// host");
    expect((await call("GET", "/v1/external-sources")).json.sources).toHaveLength(0);
  });

  it("given a credential written into a header, when posted, then a secret reference is required", async () => {
    const plain = await call("POST", "/v1/external-sources", {
      ...weather,
      options: { url: weather.options.url, headers: { Authorization: "Bearer k-123" } },
    });
    expect(plain.json.errors).toEqual([
      { field: "options.headers.Authorization", reason: 'use a secret reference: {"secret": "<name>"}' },
    ]);
  });

  it("given a device key, when it manages sources, then it is forbidden", async () => {
    expect((await call("GET", "/v1/external-sources", undefined, deviceKey)).status).toBe(403);
    expect((await call("GET", "/v1/external-source-kinds")).json.kinds.map((k: { kind: string }) => k.kind)).toEqual([
      "http-json",
      "sun-position",
    ]);
  });
});

describe("secrets (tenant key)", () => {
  it("given a secret, when stored, then its value is never returned, only its name", async () => {
    expect((await call("PUT", "/v1/external-source-secrets/weather-key", { value: "k-123" })).status).toBe(204);
    const listed = await call("GET", "/v1/external-source-secrets");
    expect(listed.json.secrets).toEqual([{ name: "weather-key", updatedAt: expect.any(String) }]);
    expect(JSON.stringify(listed.json)).not.toContain("k-123");
    expect((await call("GET", "/v1/external-source-secrets", undefined, otherTenantKey)).json.secrets).toEqual([]);
    expect((await call("DELETE", "/v1/external-source-secrets/weather-key")).status).toBe(204);
    expect((await call("DELETE", "/v1/external-source-secrets/weather-key")).status).toBe(404);
  });
});

describe("a device's enrichment", () => {
  it("given an enriched reading folded, when read by the tenant or the device itself, then it is there", async () => {
    await runtime.runPromise(
      applyProjectionBatch(enrichedLatestProjection, [
        {
          id: "01900000-0000-7000-8000-000000000001" as never,
          type: "TelemetryEnriched",
          schemaVersion: 1,
          streamId: "telemetry-acme-pump-1" as never,
          streamVersion: 2,
          occurredAt: "2025-06-01T12:00:00.000Z",
          recordedAt: "2025-06-01T12:00:01.000Z",
          tenantId: "acme" as never,
          causationId: null,
          correlationId: "c",
          traceparent: null,
          payload: {
            deviceId: "pump-1",
            ts: "2025-06-01T12:00:00.000Z",
            values: { temp: 20 },
            enrichment: { outside_temp: 12.5 },
            enrichmentStatus: "complete",
            sources: [
              {
                sourceId: "weather",
                kind: "http-json",
                status: "ok",
                circuit: "closed",
                keys: ["outside_temp"],
                fetchedAt: "2025-06-01T11:59:00.000Z",
              },
            ],
            fetchedAt: "2025-06-01T12:00:00.500Z",
            sourceEventId: "01900000-0000-7000-8000-000000000000",
          },
        },
      ]),
    );
    const own = await call("GET", "/v1/devices/pump-1/enrichment", undefined, deviceKey);
    expect(own.status).toBe(200);
    expect(own.json).toEqual({
      deviceId: "pump-1",
      enrichment: {
        outside_temp: {
          value: 12.5,
          ts: "2025-06-01T12:00:00.000Z",
          sourceId: "weather",
          fetchedAt: "2025-06-01T11:59:00.000Z",
        },
      },
      sources: { weather: { status: "ok", circuit: "closed", ts: "2025-06-01T12:00:00.000Z" } },
      lastEnrichedAt: "2025-06-01T12:00:00.000Z",
    });
    expect((await call("GET", "/v1/devices/pump-1/enrichment")).status).toBe(200);
    expect((await call("GET", "/v1/devices/pump-2/enrichment", undefined, deviceKey)).status).toBe(403);
    expect((await call("GET", "/v1/devices/pump-1/enrichment", undefined, otherTenantKey)).status).toBe(404);
  });
});
