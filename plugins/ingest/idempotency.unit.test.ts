/** Saved responses for Idempotency-Key, on the in-memory read-model store. */
import { assert, describe, it } from "@effect/vitest";
import { Effect, Option } from "effect";
import { ReadModelStore } from "../../core/projections/ReadModelStore.ts";
import { layerMemory as readModelsInMemory } from "../../core/projections/ReadModelStoreMemory.ts";
import { idempotencyCollection, makeIdempotentResponses } from "./idempotency.ts";

const scope = { tenantId: "acme", credentialKeyId: "0123456789ab", idempotencyKey: "k1" };
const response = { status: 202, body: { accepted: 1, rejected: [], eventIds: ["e1"] } };
const t0 = Date.parse("2025-03-01T10:00:00Z");

describe("idempotent responses", () => {
  it.effect("replays a saved response for the same request until it expires", () =>
    Effect.gen(function* () {
      const responses = makeIdempotentResponses({ ttlMs: 60_000 });
      assert.isTrue(Option.isNone(yield* responses.find(scope, "f1", t0)));
      yield* responses.save(scope, "f1", response, t0);
      assert.deepStrictEqual(yield* responses.find(scope, "f1", t0 + 59_999), Option.some(response));
      assert.isTrue(Option.isNone(yield* responses.find(scope, "f1", t0 + 60_000)));
      assert.isTrue(Option.isNone(yield* responses.find({ ...scope, credentialKeyId: "other" }, "f1", t0)));
    }).pipe(Effect.provide(readModelsInMemory)),
  );

  it.effect("refuses the key for a different request with 422", () =>
    Effect.gen(function* () {
      const responses = makeIdempotentResponses({ ttlMs: 60_000 });
      yield* responses.save(scope, "f1", response, t0);
      const error = yield* Effect.flip(responses.find(scope, "f2", t0));
      assert.strictEqual(error._tag, "IdempotencyKeyReused");
      assert.strictEqual(error._tag === "IdempotencyKeyReused" && error.status, 422);
    }).pipe(Effect.provide(readModelsInMemory)),
  );

  it.effect("purges expired entries every so often", () =>
    Effect.gen(function* () {
      const responses = makeIdempotentResponses({ ttlMs: 1_000, purgeEvery: 3 });
      yield* responses.save({ ...scope, idempotencyKey: "old-1" }, "f", response, t0);
      yield* responses.save({ ...scope, idempotencyKey: "old-2" }, "f", response, t0);
      yield* responses.save({ ...scope, idempotencyKey: "new" }, "f", response, t0 + 5_000);
      const left = yield* ReadModelStore.use((store) => store.find(idempotencyCollection, {}));
      assert.deepStrictEqual(
        left.map((entry) => entry._id),
        ["acme|0123456789ab|new"],
      );
    }).pipe(Effect.provide(readModelsInMemory)),
  );
});
