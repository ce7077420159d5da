/**
 * What every ReadModelStore layer must do, run against the memory layer (unit) and
 * MongoDB/FerretDB (integration): the same inputs give the same answers in both.
 *
 * @example
 * readModelStoreContract("memory", layerMemory);
 */
import { assert, layer } from "@effect/vitest";
import { Cause, Effect, Exit, type Layer, Option, Stream } from "effect";
import { type ProjectionCheckpoint, ReadModelStore } from "../../core/projections/ReadModelStore.ts";
import { uniqueName } from "../harness/testEnvironment.ts";

const ids = (documents: ReadonlyArray<{ readonly _id: string }>) => documents.map((document) => document._id);

/** Documents that exercise every filter rule: missing, null, arrays, nested paths, kinds. */
const sampleDocuments = [
  { id: "a", doc: { name: "alpha", level: 10, tags: ["pump", "north"], location: { city: "Oslo" }, active: true } },
  { id: "b", doc: { name: "beta", level: 20, tags: ["valve"], location: { city: "Bergen" }, active: false } },
  { id: "c", doc: { name: "gamma", level: 5.5, tags: [], location: { city: "Oslo" }, active: true, note: null } },
  {
    id: "d",
    doc: {
      name: "delta",
      level: "high",
      items: [
        { sku: "x1", qty: 2 },
        { sku: "x2", qty: 7 },
      ],
    },
  },
  { id: "e", doc: { name: "Éclair", seenAt: new Date("2025-01-02T00:00:00.000Z"), level: [3, 30] } },
];

export const readModelStoreContract = (implementation: string, storeLayer: Layer.Layer<ReadModelStore>) =>
  layer(storeLayer)(`ReadModelStore contract (${implementation})`, (it) => {
    const seeded = Effect.gen(function* () {
      const store = yield* ReadModelStore;
      const collection = uniqueName("rm_contract");
      yield* store.writeMany(collection, sampleDocuments);
      return { store, collection };
    });
    const findIds = (filter: Record<string, unknown>) =>
      Effect.gen(function* () {
        const { store, collection } = yield* seeded;
        return ids(yield* store.find(collection, filter, { sort: { _id: 1 } }));
      });

    it.effect(
      "given written documents, when loading some ids, then the stored ones come back and missing ids are absent",
      () =>
        Effect.gen(function* () {
          const { store, collection } = yield* seeded;
          const loaded = yield* store.loadMany(collection, ["a", "e", "nope"]);
          assert.deepStrictEqual([...loaded.keys()].sort(), ["a", "e"]);
          assert.deepStrictEqual(loaded.get("a"), sampleDocuments[0]?.doc);
          assert.deepStrictEqual(loaded.get("e")?.seenAt, new Date("2025-01-02T00:00:00.000Z"));
          assert.strictEqual((yield* store.loadMany(collection, [])).size, 0);
          yield* store.writeMany(collection, []);
        }),
    );

    it.effect(
      "given ids in any order, when streaming them, then the stored ones come once each in _id order, tombstones included",
      () =>
        Effect.gen(function* () {
          const { store, collection } = yield* seeded;
          yield* store.writeMany(collection, [{ id: "c", doc: { _deleted: true, _applied: { "device-1": 3 } } }]);
          const streamed = yield* Stream.runCollect(
            store.streamMany(collection, ["e", "nope", "a", "c", "a", "d"], { perReply: 2 }),
          );
          assert.deepStrictEqual(
            streamed.map(([id]) => id),
            ["a", "c", "d", "e"],
          );
          assert.deepStrictEqual(streamed[0]?.[1], sampleDocuments[0]?.doc);
          assert.deepStrictEqual(streamed[1]?.[1], { _deleted: true, _applied: { "device-1": 3 } });
          assert.deepStrictEqual(streamed[3]?.[1].seenAt, new Date("2025-01-02T00:00:00.000Z"));
          assert.deepStrictEqual(yield* Stream.runCollect(store.streamMany(collection, [])), []);
          // Taking part of a stream ends it (and closes what it read from).
          assert.deepStrictEqual(
            (yield* Stream.runCollect(Stream.take(store.streamMany(collection, ["d", "b", "a"]), 2))).map(([id]) => id),
            ["a", "b"],
          );
        }),
    );

    it.effect("given more ids than one store query takes, when streaming them, then all come in _id order", () =>
      Effect.gen(function* () {
        const store = yield* ReadModelStore;
        const collection = uniqueName("rm_contract");
        // 1,200 ids, so two queries in the Mongo layer; the ids' order differs from the numbers'.
        const numbers = Array.from({ length: 1_200 }, (_, index) => index);
        yield* store.writeMany(
          collection,
          numbers.map((n) => ({ id: `k${n}`, doc: { n }, create: true })),
        );
        const asked = numbers.flatMap((n) => (n % 3 === 0 ? [`k${n}`, `missing${n}`] : [`k${n}`])).reverse();
        const streamed = yield* Stream.runCollect(store.streamMany(collection, asked, { perReply: 64 }));
        const expected = numbers.map((n) => `k${n}`).sort();
        assert.deepStrictEqual(
          streamed.map(([id]) => id),
          expected,
        );
        assert.deepStrictEqual(streamed[1]?.[1], { n: 1 });
        assert.strictEqual(expected[1], "k1");
      }),
    );

    it.effect("given a document, when it is written again or with undefined, then it is replaced or deleted", () =>
      Effect.gen(function* () {
        const { store, collection } = yield* seeded;
        yield* store.writeMany(collection, [
          { id: "a", doc: { name: "alpha2", missing: undefined, list: [1, undefined] } },
          { id: "b", doc: undefined },
          { id: "new", doc: { name: "new" } },
        ]);
        const loaded = yield* store.loadMany(collection, ["a", "b", "new"]);
        assert.deepStrictEqual(loaded.get("a"), { name: "alpha2", missing: null, list: [1, null] });
        assert.isFalse(loaded.has("b"));
        assert.deepStrictEqual(Option.getOrUndefined(yield* store.get(collection, "new")), { _id: "new", name: "new" });
        assert.isTrue(Option.isNone(yield* store.get(collection, "b")));
      }),
    );

    it.effect(
      "given equality filters, when finding, then dotted paths, arrays and null-for-missing match as in MongoDB",
      () =>
        Effect.gen(function* () {
          assert.deepStrictEqual(yield* findIds({ "location.city": "Oslo" }), ["a", "c"]);
          assert.deepStrictEqual(yield* findIds({ tags: "pump" }), ["a"]);
          assert.deepStrictEqual(yield* findIds({ "items.sku": "x2" }), ["d"]);
          assert.deepStrictEqual(yield* findIds({ "items.1.qty": 7 }), ["d"]);
          assert.deepStrictEqual(yield* findIds({ note: null }), ["a", "b", "d", "e"].concat("c").sort());
          assert.deepStrictEqual(yield* findIds({ active: true, "location.city": "Oslo" }), ["a", "c"]);
          assert.deepStrictEqual(yield* findIds({ _id: "b" }), ["b"]);
          assert.deepStrictEqual(yield* findIds({ level: 30 }), ["e"]);
        }),
    );

    it.effect(
      "given operator filters, when finding, then $in/$ne/$gt/$gte/$lt/$lte/$exists compare within one kind",
      () =>
        Effect.gen(function* () {
          assert.deepStrictEqual(yield* findIds({ level: { $gt: 5.5 } }), ["a", "b", "e"]);
          assert.deepStrictEqual(yield* findIds({ level: { $gte: 5.5, $lt: 20 } }), ["a", "c", "e"]);
          assert.deepStrictEqual(yield* findIds({ level: { $lte: 3 } }), ["e"]);
          assert.deepStrictEqual(yield* findIds({ level: { $gt: "a" } }), ["d"]);
          assert.deepStrictEqual(yield* findIds({ name: { $in: ["beta", "delta", "zeta"] } }), ["b", "d"]);
          assert.deepStrictEqual(yield* findIds({ tags: { $in: ["north", "valve"] } }), ["a", "b"]);
          assert.deepStrictEqual(yield* findIds({ note: { $in: [null] } }), ["a", "b", "c", "d", "e"]);
          assert.deepStrictEqual(yield* findIds({ tags: { $ne: "pump" } }), ["b", "c", "d", "e"]);
          assert.deepStrictEqual(yield* findIds({ note: { $exists: true } }), ["c"]);
          assert.deepStrictEqual(yield* findIds({ note: { $ne: null } }), []);
          assert.deepStrictEqual(yield* findIds({ tags: { $exists: false } }), ["d", "e"]);
          assert.deepStrictEqual(yield* findIds({ seenAt: { $gte: new Date("2025-01-01T00:00:00.000Z") } }), ["e"]);
          assert.deepStrictEqual(yield* findIds({ active: { $gt: false } }), ["a", "c"]);
        }),
    );

    it.effect("given sort, skip and limit, when finding, then order is BSON order with ties broken by _id", () =>
      Effect.gen(function* () {
        const { store, collection } = yield* seeded;
        const byLevel = yield* store.find(collection, {}, { sort: { level: 1 } });
        // e sorts by its smallest element (3); d's string sorts after every number.
        assert.deepStrictEqual(ids(byLevel), ["e", "c", "a", "b", "d"]);
        const byCityDesc = yield* store.find(collection, {}, { sort: { "location.city": -1 } });
        assert.deepStrictEqual(ids(byCityDesc), ["a", "c", "b", "d", "e"]);
        const page = yield* store.find(collection, {}, { sort: { name: 1 }, skip: 1, limit: 2 });
        assert.deepStrictEqual(ids(page), ["b", "d"]);
      }),
    );

    it.effect(
      "given tombstones and bookkeeping keys, when finding or getting, then tombstones are hidden and keys stripped",
      () =>
        Effect.gen(function* () {
          const store = yield* ReadModelStore;
          const collection = uniqueName("rm_contract");
          yield* store.writeMany(collection, [
            { id: "live", doc: { name: "x", _applied: { "device-1": 3 } } },
            { id: "gone", doc: { _applied: { "device-2": 9 }, _deleted: true } },
          ]);
          assert.deepStrictEqual(yield* store.find(collection, {}), [{ _id: "live", name: "x" }]);
          assert.deepStrictEqual(yield* store.find(collection, { name: { $exists: false } }), []);
          assert.isTrue(Option.isNone(yield* store.get(collection, "gone")));
          assert.deepStrictEqual((yield* store.loadMany(collection, ["gone"])).get("gone"), {
            _applied: { "device-2": 9 },
            _deleted: true,
          });
        }),
    );

    it.effect("given a filter outside the subset, when finding, then it fails with InvalidReadModelQuery", () =>
      Effect.gen(function* () {
        const { store, collection } = yield* seeded;
        const rejected = [
          [{ $where: "sleep(1000)" }, {}],
          [{ $or: [{ a: 1 }] }, {}],
          [{ name: { $regex: ".*" } }, {}],
          [{ name: { $gt: { $ne: 1 } } }, {}],
          [{ name: { $in: "alpha" } }, {}],
          [{ name: { $exists: 1 } }, {}],
          [{ "location.$city": "Oslo" }, {}],
          [{ location: { city: "Oslo" } }, {}],
          [{ name: { $eq: "alpha", city: "x" } }, {}],
          [{ _applied: { $exists: true } }, {}],
          [{ level: Number.NaN }, {}],
          [{}, { sort: { $natural: 1 } }],
          [{}, { sort: { name: 2 } }],
          [{}, { limit: 0 }],
          [{}, { skip: -1 }],
        ] as const;
        for (const [filter, options] of rejected) {
          const error = yield* Effect.flip(store.find(collection, filter as Record<string, unknown>, options as never));
          assert.strictEqual(error._tag, "InvalidReadModelQuery", JSON.stringify(filter));
        }
      }),
    );

    it.effect(
      "given a unique index, when two documents share a value, then the write fails and tombstones never collide",
      () =>
        Effect.gen(function* () {
          const store = yield* ReadModelStore;
          const collection = uniqueName("rm_contract");
          yield* store.ensureIndexes(collection, [
            { keys: { email: 1 }, unique: true },
            { keys: { name: 1, age: -1 } },
          ]);
          yield* store.ensureIndexes(collection, [{ keys: { email: 1 }, unique: true }]);
          yield* store.writeMany(collection, [
            { id: "t1", doc: { _deleted: true } },
            { id: "t2", doc: { _deleted: true } },
            { id: "u1", doc: { email: "a@x" } },
          ]);
          const error = yield* Effect.flip(
            store.writeMany(collection, [
              { id: "u2", doc: { email: "a@x" } },
              { id: "u3", doc: { email: "b@x" } },
            ]),
          );
          assert.strictEqual(error._tag, "ReadModelConstraintViolation");
          // Whether u3 was written is left open: MongoDB goes on after the error, FerretDB stops.
          assert.isFalse((yield* store.loadMany(collection, ["u2"])).has("u2"));
          yield* store.writeMany(collection, [{ id: "u1", doc: { email: "a@x", name: "same id, same value" } }]);
        }),
    );

    it.effect(
      "given conditional writes, when a revision moved on, then the write is refused and the newer document stays",
      () =>
        Effect.gen(function* () {
          const store = yield* ReadModelStore;
          const collection = uniqueName("rm_contract");
          yield* store.writeMany(collection, [{ id: "r", doc: { n: 1 }, expectedRevision: 0 }]);
          assert.deepStrictEqual((yield* store.loadMany(collection, ["r"])).get("r"), { n: 1, _rev: 1 });
          const stale = yield* Effect.flip(
            store.writeMany(collection, [{ id: "r", doc: { n: 0 }, expectedRevision: 0 }]),
          );
          assert.strictEqual(stale._tag, "ReadModelConstraintViolation");
          const ahead = yield* Effect.flip(
            store.writeMany(collection, [{ id: "r", doc: { n: 0 }, expectedRevision: 7 }]),
          );
          assert.strictEqual(ahead._tag, "ReadModelConstraintViolation");
          assert.deepStrictEqual((yield* store.loadMany(collection, ["r"])).get("r"), { n: 1, _rev: 1 });
          yield* store.writeMany(collection, [{ id: "r", doc: { n: 2, _rev: 99 }, expectedRevision: 1 }]);
          assert.deepStrictEqual((yield* store.loadMany(collection, ["r"])).get("r"), { n: 2, _rev: 2 });
          assert.deepStrictEqual(Option.getOrUndefined(yield* store.get(collection, "r")), { _id: "r", n: 2 });
          // An unconditional write drops the revision; a conditional one then expects 0.
          yield* store.writeMany(collection, [{ id: "r", doc: { n: 3 } }]);
          yield* store.writeMany(collection, [{ id: "r", doc: { n: 4 }, expectedRevision: 0 }]);
          assert.deepStrictEqual((yield* store.loadMany(collection, ["r"])).get("r"), { n: 4, _rev: 1 });
        }),
    );

    it.effect("given a collection, when it is dropped, then its documents are gone and dropping again succeeds", () =>
      Effect.gen(function* () {
        const { store, collection } = yield* seeded;
        yield* store.drop(collection);
        yield* store.drop(collection);
        assert.deepStrictEqual(yield* store.find(collection, {}), []);
        yield* store.ensureIndexes(collection, [{ keys: { name: 1 }, unique: true }]);
        yield* store.writeMany(collection, [{ id: "a", doc: { name: "again" } }]);
        assert.strictEqual((yield* store.find(collection, {})).length, 1);
      }),
    );

    it.effect("given create writes, when the id is new they insert, and when it exists they are refused", () =>
      Effect.gen(function* () {
        const { store, collection } = yield* seeded;
        yield* store.writeMany(collection, [
          { id: "fresh-1", doc: { name: "one" }, create: true },
          { id: "fresh-2", doc: { name: "two" }, create: true },
        ]);
        assert.deepStrictEqual((yield* store.loadMany(collection, ["fresh-1"])).get("fresh-1"), { name: "one" });
        const refused = yield* Effect.flip(
          store.writeMany(collection, [{ id: "fresh-1", doc: { name: "again" }, create: true }]),
        );
        assert.strictEqual(refused._tag, "ReadModelConstraintViolation");
        assert.deepStrictEqual((yield* store.loadMany(collection, ["fresh-1"])).get("fresh-1"), { name: "one" });
        // Deletes of several ids in one call, beside a write.
        yield* store.writeMany(collection, [
          { id: "fresh-1", doc: undefined },
          { id: "fresh-2", doc: undefined },
          { id: "fresh-3", doc: { name: "three" }, create: true },
        ]);
        assert.deepStrictEqual(
          [...(yield* store.loadMany(collection, ["fresh-1", "fresh-2", "fresh-3"])).keys()],
          ["fresh-3"],
        );
      }),
    );

    it.effect(
      "given a collection and a replacement, when the replacement takes its place, then only the replacement's documents and unique index remain",
      () =>
        Effect.gen(function* () {
          const { store, collection } = yield* seeded;
          const replacement = `${collection}__new`;
          yield* store.ensureIndexes(replacement, [{ keys: { name: 1 }, unique: true }]);
          yield* store.writeMany(replacement, [{ id: "n", doc: { name: "new" } }]);
          yield* store.replaceCollection(collection, replacement);
          assert.deepStrictEqual(
            (yield* store.find(collection, {})).map((view) => view._id),
            ["n"],
          );
          assert.deepStrictEqual(yield* store.find(replacement, {}), []);
          const duplicate = yield* Effect.flip(store.writeMany(collection, [{ id: "m", doc: { name: "new" } }]));
          assert.strictEqual(duplicate._tag, "ReadModelConstraintViolation");
          // A replacement that was never written leaves the target empty.
          yield* store.replaceCollection(collection, `${collection}__missing`);
          assert.deepStrictEqual(yield* store.find(collection, {}), []);
        }),
    );

    it.effect("given a document with a key MongoDB refuses, when writing, then the write dies (a projection bug)", () =>
      Effect.gen(function* () {
        const store = yield* ReadModelStore;
        const collection = uniqueName("rm_contract");
        for (const doc of [{ "a.b": 1 }, { nested: { $set: 1 } }, { list: [{ "x.y": 1 }] }, { _id: "x" }]) {
          const exit = yield* Effect.exit(store.writeMany(collection, [{ id: "bad", doc }]));
          assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause), JSON.stringify(doc));
        }
        assert.strictEqual((yield* store.loadMany(collection, ["bad"])).size, 0);
      }),
    );

    it.effect("given checkpoints, when set and read back, then the latest one is returned per projection", () =>
      Effect.gen(function* () {
        const store = yield* ReadModelStore;
        const name = uniqueName("projection");
        assert.isTrue(Option.isNone(yield* store.getCheckpoint(name)));
        const rebuilding: ProjectionCheckpoint = {
          name,
          version: 2,
          status: "rebuilding",
          lastEventId: null,
          eventsApplied: 0,
          updatedAt: "2025-01-01T00:00:00.000Z",
        };
        yield* store.setCheckpoint(rebuilding);
        assert.deepStrictEqual(Option.getOrUndefined(yield* store.getCheckpoint(name)), rebuilding);
        const live = { ...rebuilding, status: "live" as const, lastEventId: "e-9", eventsApplied: 42 };
        yield* store.setCheckpoint(live);
        assert.deepStrictEqual(Option.getOrUndefined(yield* store.getCheckpoint(name)), live);
      }),
    );
  });
