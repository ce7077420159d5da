import { assert, describe, expect, it } from "@effect/vitest";
import { Effect, Redacted, Stream } from "effect";
import { TestClock } from "effect/testing";
import { EventStore, EventWriter, ReadModelStore, type TenantId } from "../../core/index.ts";
import { OutboundRefused } from "../../core/outbound/Errors.ts";
import { jsonResponse, type OutboundRequest } from "../../core/outbound/OutboundHttp.ts";
import { TelemetryRecorded, telemetryStreamId } from "../ingest/index.ts";
import { makeEnricher } from "./enrichReading.ts";
import { externalSourceTestLayer } from "./externalSourceTestLayer.ts";
import { httpJsonKind } from "./kinds/httpJsonKind.ts";
import { sunPositionKind } from "./kinds/sunPositionKind.ts";
import { putSecret } from "./secretStore.ts";
import { defineSource } from "./sourceCommands.ts";
import { type SourceSpecBody, withDefaults } from "./sourceSettings.ts";
import { enrichedStreamId, TelemetryEnriched } from "./TelemetryEnriched.ts";

const tenantId = "acme" as TenantId;

const weatherSource: SourceSpecBody = {
  name: "Weather",
  kind: "http-json",
  options: {
    url: "https://api.weather.example/now?lat={attributes.lat|round:2}&lon={attributes.lon|round:2}",
    headers: { "x-api-key": { secret: "weather-key" } },
  },
  mapping: { outside_temp: "/temperature_c", outside_humidity: "/humidity_pct", wind: "/wind/speed" },
  retries: 0,
};

const given = {
  source: (sourceId: string, spec: SourceSpecBody) =>
    defineSource(tenantId, sourceId, withDefaults(spec), { create: true }),
  device: (deviceId: string, attributes: Record<string, unknown>, tags: ReadonlyArray<string> = []) =>
    Effect.flatMap(ReadModelStore, (store) =>
      store.writeMany("rm_devices", [{ id: `${tenantId}|${deviceId}`, doc: { tenantId, deviceId, attributes, tags } }]),
    ),
  secret: (name: string, value: string) => putSecret(tenantId, name, value),
};

/** Appends a reading as ingest would and returns it decoded, as the handler receives it. */
const reading = (deviceId: string, values: Record<string, number | string | boolean>) =>
  Effect.gen(function* () {
    const writer = yield* EventWriter;
    const ts = "2025-06-21T11:08:00.000Z";
    const [stored] = yield* writer.append(telemetryStreamId(tenantId, deviceId), "any", [
      TelemetryRecorded.make({ deviceId, ts, values }, { tenantId, occurredAt: ts }),
    ]);
    if (stored === undefined) throw new Error("nothing stored");
    return yield* TelemetryRecorded.decode(stored);
  });

const enrichedOf = (deviceId: string) =>
  Effect.gen(function* () {
    const store = yield* EventStore;
    const events = yield* Stream.runCollect(store.readStream(enrichedStreamId(tenantId, deviceId)));
    return yield* Effect.forEach(events.filter(TelemetryEnriched.is), TelemetryEnriched.decode);
  });

const enricher = () => makeEnricher({ kinds: () => [httpJsonKind, sunPositionKind], sourcesTtlMs: 0, devicesTtlMs: 0 });

const weatherApi = (requests: Array<OutboundRequest>) => (request: OutboundRequest) => {
  requests.push(request);
  return Effect.succeed(jsonResponse(request.url, { temperature_c: 12.5, humidity_pct: 80 }));
};

describe("enriching readings (in-memory platform, stub outbound HTTP)", () => {
  const requests: Array<OutboundRequest> = [];

  it.effect(
    "given a weather source and a located device, when a reading arrives, then TelemetryEnriched carries the mapped values",
    () =>
      Effect.gen(function* () {
        yield* given.source("weather", weatherSource);
        yield* given.device("pump-1", { lat: 52.52437, lon: 13.41053 });
        yield* given.secret("weather-key", "k-123");
        const recorded = yield* reading("pump-1", { temp: 21.5 });
        yield* enricher().enrich(recorded);
        const [enriched, ...others] = yield* enrichedOf("pump-1");
        assert.strictEqual(others.length, 0);
        expect(enriched?.payload).toMatchObject({
          deviceId: "pump-1",
          values: { temp: 21.5 },
          enrichment: { outside_temp: 12.5, outside_humidity: 80 },
          enrichmentStatus: "complete",
          sourceEventId: recorded.id,
          sources: [
            {
              sourceId: "weather",
              kind: "http-json",
              status: "ok",
              cache: "miss",
              circuit: "closed",
              keys: ["outside_temp", "outside_humidity"],
              missing: ["wind"],
            },
          ],
        });
        assert.strictEqual(enriched?.causationId, recorded.id);
        assert.strictEqual(requests.at(-1)?.url, "https://api.weather.example/now?lat=52.52&lon=13.41");
        const key = requests.at(-1)?.headers?.["x-api-key"];
        assert.isTrue(Redacted.isRedacted(key));
        assert.strictEqual(Redacted.isRedacted(key) ? Redacted.value(key) : key, "k-123");
      }).pipe(Effect.provide(externalSourceTestLayer(weatherApi(requests)))),
  );

  it.effect("given the source failing, when a reading arrives, then it still flows on, flagged unavailable", () =>
    Effect.gen(function* () {
      yield* given.source("weather", weatherSource);
      yield* given.device("pump-1", { lat: 1, lon: 2 });
      yield* given.secret("weather-key", "k-123");
      yield* enricher().enrich(yield* reading("pump-1", { temp: 20 }));
      const [enriched] = yield* enrichedOf("pump-1");
      expect(enriched?.payload).toMatchObject({
        values: { temp: 20 },
        enrichment: {},
        enrichmentStatus: "unavailable",
        sources: [{ sourceId: "weather", status: "unavailable", reason: "answered 503", keys: [] }],
      });
    }).pipe(Effect.provide(externalSourceTestLayer((request) => Effect.succeed(jsonResponse(request.url, {}, 503))))),
  );

  it.effect("given a reading delivered twice, when enriched twice, then one TelemetryEnriched is stored", () =>
    Effect.gen(function* () {
      // Derived ids take their time from the reading's recordedAt: give the store a real clock time.
      yield* TestClock.setTime(Date.parse("2025-06-21T11:08:01Z"));
      yield* given.source("sun", { name: "Sun", kind: "sun-position", mapping: { sun_elevation: "/elevationDeg" } });
      yield* given.device("panel-1", { lat: 52.52, lon: 13.405 });
      const recorded = yield* reading("panel-1", { power_w: 410 });
      const handler = enricher();
      yield* handler.enrich(recorded);
      yield* handler.enrich(recorded);
      const enriched = yield* enrichedOf("panel-1");
      assert.strictEqual(enriched.length, 1);
      expect(enriched[0]?.payload.enrichment.sun_elevation).toBeCloseTo(60.92, 1);
    }).pipe(Effect.provide(externalSourceTestLayer(weatherApi([])))),
  );

  it.effect(
    "given a run of a device's readings, some already enriched, then each gets one copy, in order, from one append",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.parse("2025-06-21T11:08:01Z"));
        yield* given.source("sun", { name: "Sun", kind: "sun-position", mapping: { sun_elevation: "/elevationDeg" } });
        yield* given.device("panel-1", { lat: 52.52, lon: 13.405 });
        const run = [
          yield* reading("panel-1", { power_w: 1 }),
          yield* reading("panel-1", { power_w: 2 }),
          yield* reading("panel-1", { power_w: 3 }),
        ];
        const handler = enricher();
        yield* handler.enrich(run[1] as (typeof run)[number]); // delivered before, alone
        const writer = yield* EventWriter;
        const appends: Array<number> = [];
        const counting = EventWriter.of({
          ...writer,
          append: (streamId, expected, events) =>
            Effect.suspend(() => {
              appends.push(events.length);
              return writer.append(streamId, expected, events);
            }),
        });
        yield* handler.enrichRun(run).pipe(Effect.provideService(EventWriter, counting));
        assert.deepStrictEqual(appends, [3]);
        const enriched = yield* enrichedOf("panel-1");
        assert.deepStrictEqual(
          enriched.map((event) => event.payload.sourceEventId),
          [1, 0, 2].map((index) => run[index]?.id ?? ""),
        );
      }).pipe(Effect.provide(externalSourceTestLayer(weatherApi([])))),
  );

  it.effect("given triggers by tag and value key, when readings arrive, then only matching ones are enriched", () =>
    Effect.gen(function* () {
      yield* given.source("sun", {
        name: "Sun",
        kind: "sun-position",
        mapping: { sun_elevation: "/elevationDeg" },
        trigger: { deviceTags: ["solar"], valueKeys: ["power_w"] },
      });
      yield* given.device("panel-1", { lat: 52.52, lon: 13.405 }, ["solar"]);
      yield* given.device("pump-1", { lat: 52.52, lon: 13.405 }, ["pump"]);
      const handler = enricher();
      yield* handler.enrich(yield* reading("panel-1", { power_w: 400 }));
      yield* handler.enrich(yield* reading("panel-1", { voltage: 230 }));
      yield* handler.enrich(yield* reading("pump-1", { power_w: 400 }));
      assert.strictEqual((yield* enrichedOf("panel-1")).length, 1);
      assert.strictEqual((yield* enrichedOf("pump-1")).length, 0);
    }).pipe(Effect.provide(externalSourceTestLayer(weatherApi([])))),
  );

  it.effect("given two sources, one refused by the policy, when enriched, then partial, with each reason", () =>
    Effect.gen(function* () {
      yield* given.source("a-sun", { name: "Sun", kind: "sun-position", mapping: { elevation: "/elevationDeg" } });
      yield* given.source("b-weather", { ...weatherSource, mapping: { elevation: "/temperature_c" } });
      yield* given.device("pump-1", { lat: 52.52, lon: 13.405 });
      yield* given.secret("weather-key", "k");
      yield* enricher().enrich(yield* reading("pump-1", { temp: 1 }));
      const [enriched] = yield* enrichedOf("pump-1");
      expect(enriched?.payload).toMatchObject({
        enrichmentStatus: "partial",
        sources: [
          { sourceId: "a-sun", status: "ok", keys: ["elevation"] },
          { sourceId: "b-weather", status: "unavailable", reason: "refused: redirect: 10.0.0.1 is a private address" },
        ],
      });
    }).pipe(
      Effect.provide(
        externalSourceTestLayer((request) =>
          Effect.fail(new OutboundRefused({ url: request.url, reason: "redirect: 10.0.0.1 is a private address" })),
        ),
      ),
    ),
  );

  it.effect("given what a source cannot work with, when enriched, then each reason is reported", () =>
    Effect.gen(function* () {
      yield* given.source("no-secret", weatherSource);
      yield* given.source("no-position", { name: "Sun", kind: "sun-position", mapping: { e: "/elevationDeg" } });
      yield* given.device("pump-1", {});
      yield* enricher().enrich(yield* reading("pump-1", { temp: 1 }));
      const [enriched] = yield* enrichedOf("pump-1");
      expect(enriched?.payload.sources.map((source) => source.reason)).toEqual([
        "the device has no usable attribute lat (degrees, within ±90)",
        "attribute lat is missing on the device",
      ]);
    }).pipe(Effect.provide(externalSourceTestLayer(weatherApi([])))),
  );

  it.effect("given a tenant without sources, when a reading arrives, then nothing is appended", () =>
    Effect.gen(function* () {
      yield* enricher().enrich(yield* reading("pump-1", { temp: 1 }));
      assert.strictEqual((yield* enrichedOf("pump-1")).length, 0);
    }).pipe(Effect.provide(externalSourceTestLayer(weatherApi([])))),
  );
});
