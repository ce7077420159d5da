// Device reads, given/when/then on the memory layers: paging, filters, tenant scoping,
// and the join with the ingest plugin's rm_latest documents.
import { assert, describe, it } from "@effect/vitest";
import { Effect, Result } from "effect";
import { ReadModelStore } from "../../core/index.ts";
import { decommissionDevice, registerDevice } from "./deviceCommands.ts";
import type { DeviceId } from "./deviceFields.ts";
import { decodeCursor, encodeCursor, getDevice, listDevices } from "./deviceQueries.ts";
import { devicesTestLayer } from "./devicesTestLayer.ts";
import { latestCollection } from "./latestValues.ts";

const register = (tenantId: string, deviceId: string, tags: ReadonlyArray<string> = []) =>
  registerDevice(tenantId, { deviceId: deviceId as DeviceId, name: deviceId, tags });

const idsOf = (page: { readonly devices: ReadonlyArray<{ readonly deviceId: string }> }) =>
  page.devices.map((device) => device.deviceId);

describe("device queries", () => {
  it.effect("given five devices, when listed two at a time, then the cursor walks them in id order", () =>
    Effect.gen(function* () {
      for (const id of ["d5", "d1", "d3", "d2", "d4"]) yield* register("acme", id);
      yield* register("globex", "d0");
      const first = yield* listDevices("acme", { limit: 2 });
      const second = yield* listDevices("acme", { limit: 2, cursor: first.nextCursor ?? "" });
      const third = yield* listDevices("acme", { limit: 2, cursor: second.nextCursor ?? "" });
      assert.deepStrictEqual([idsOf(first), idsOf(second), idsOf(third)], [["d1", "d2"], ["d3", "d4"], ["d5"]]);
      assert.isNull(third.nextCursor);
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given tagged and decommissioned devices, when filtered, then only the matching ones of the tenant", () =>
    Effect.gen(function* () {
      yield* register("acme", "p1", ["pump"]);
      yield* register("acme", "p2", ["pump", "north"]);
      yield* register("acme", "v1", ["valve"]);
      yield* register("globex", "p9", ["pump"]);
      yield* decommissionDevice("acme", "p1");
      assert.deepStrictEqual(idsOf(yield* listDevices("acme", { tag: "pump" })), ["p1", "p2"]);
      assert.deepStrictEqual(idsOf(yield* listDevices("acme", { tag: "pump", status: "active" })), ["p2"]);
      assert.deepStrictEqual(idsOf(yield* listDevices("acme", { status: "decommissioned" })), ["p1"]);
      assert.deepStrictEqual(idsOf(yield* listDevices("globex", {})), ["p9"]);
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given a cursor this API did not return, when listing, then ValidationFailed on cursor", () =>
    Effect.gen(function* () {
      for (const cursor of ["%%%", encodeCursor('{"$gt":""}'), "x"]) {
        const error = yield* Effect.flip(listDevices("acme", { cursor }));
        assert.deepStrictEqual(error._tag === "ValidationFailed" ? error.errors.map((e) => e.field) : [], ["cursor"]);
      }
      assert.deepStrictEqual(decodeCursor(encodeCursor("pump-7")), Result.succeed("pump-7"));
    }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect(
    "given rm_latest documents, then the device shows its last-seen time and latest values, keys unescaped",
    () =>
      Effect.gen(function* () {
        yield* register("acme", "seen");
        yield* register("acme", "unseen");
        const store = yield* ReadModelStore;
        yield* store.writeMany(latestCollection, [
          {
            id: "acme|seen",
            doc: {
              tenantId: "acme",
              deviceId: "seen",
              lastSeenAt: "2025-01-01T00:00:00.000Z",
              values: {
                temp: { value: 21.5, ts: "2025-01-01T00:00:00.000Z" },
                "cpu%2Eload": { value: 0.5, ts: "2025-01-01T00:00:00.000Z" },
              },
            },
          },
        ]);
        const seen = yield* getDevice("acme", "seen");
        assert.strictEqual(seen.lastSeenAt, "2025-01-01T00:00:00.000Z");
        assert.deepStrictEqual(seen.latest, {
          temp: { value: 21.5, ts: "2025-01-01T00:00:00.000Z" },
          "cpu.load": { value: 0.5, ts: "2025-01-01T00:00:00.000Z" },
        });
        const unseen = yield* getDevice("acme", "unseen");
        assert.deepStrictEqual([unseen.lastSeenAt, unseen.latest], [null, {}]);
        const listed = yield* listDevices("acme", {});
        assert.deepStrictEqual(
          listed.devices.map((device) => device.lastSeenAt),
          ["2025-01-01T00:00:00.000Z", null],
        );
      }).pipe(Effect.provide(devicesTestLayer())),
  );

  it.effect("given a malformed or foreign rm_latest document, then the device reads as never seen", () =>
    Effect.gen(function* () {
      yield* register("acme", "d1");
      yield* register("acme", "d2");
      const store = yield* ReadModelStore;
      yield* store.writeMany(latestCollection, [
        { id: "acme|d1", doc: { tenantId: "acme", deviceId: "d1", values: "not a map" } },
        { id: "acme|d2", doc: { tenantId: "globex", deviceId: "d2", lastSeenAt: "x", values: {} } },
      ]);
      assert.strictEqual((yield* getDevice("acme", "d1")).lastSeenAt, null);
      assert.strictEqual((yield* getDevice("acme", "d2")).lastSeenAt, null);
    }).pipe(Effect.provide(devicesTestLayer())),
  );
});
