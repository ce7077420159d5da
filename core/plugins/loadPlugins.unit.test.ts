import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, describe, it } from "@effect/vitest";
import { Effect, Schema } from "effect";
import { defineEvent } from "../events/defineEvent.ts";
import { definePlugin } from "./definePlugin.ts";
import { defineExtensionPoint } from "./ExtensionPoint.ts";
import { importPluginModules, loadPlugins } from "./loadPlugins.ts";

const Pinged = defineEvent({ type: "Pinged", family: "test", payload: Schema.Struct({ n: Schema.Number }) });
const greeter = defineExtensionPoint<(name: string) => string>("base/greeter");

describe("loadPlugins", () => {
  it.effect("given plugins in any order, when loaded, then dependencies register first", () =>
    Effect.gen(function* () {
      const order: Array<string> = [];
      const loaded = yield* loadPlugins([
        definePlugin({ id: "child", dependsOn: ["base"], register: () => void order.push("child") }),
        definePlugin({
          id: "base",
          register: (api) => {
            order.push("base");
            api.events(Pinged);
          },
        }),
      ]);
      assert.deepStrictEqual(order, ["base", "child"]);
      assert.deepStrictEqual(
        loaded.events.map((e) => e.type),
        ["Pinged"],
      );
    }),
  );

  it.effect("given the same plugin object twice, when loaded, then it registers once", () =>
    Effect.gen(function* () {
      let registrations = 0;
      const once = definePlugin({ id: "once", register: () => void registrations++ });
      const loaded = yield* loadPlugins([once, once]);
      assert.strictEqual(registrations, 1);
      assert.strictEqual(loaded.plugins.length, 1);
    }),
  );

  it.effect("given a missing dependency, when loaded, then the error names the plugin", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        loadPlugins([definePlugin({ id: "alerts", dependsOn: ["devices"], register: () => undefined })]),
      );
      assert.strictEqual(error.pluginId, "alerts");
      assert.include(error.message, 'plugin "alerts": depends on devices');
    }),
  );

  it.effect("given duplicate ids, bad ids, cycles or a throwing register, when loaded, then each is refused", () =>
    Effect.gen(function* () {
      const noop = () => undefined;
      const duplicate = yield* Effect.flip(
        loadPlugins([definePlugin({ id: "a", register: noop }), definePlugin({ id: "a", register: noop })]),
      );
      assert.include(duplicate.reason, "two plugins");
      const badId = yield* Effect.flip(loadPlugins([definePlugin({ id: "Bad Id", register: noop })]));
      assert.strictEqual(badId.pluginId, "Bad Id");
      const cycle = yield* Effect.flip(
        loadPlugins([
          definePlugin({ id: "a", dependsOn: ["b"], register: noop }),
          definePlugin({ id: "b", dependsOn: ["a"], register: noop }),
        ]),
      );
      assert.include(cycle.reason, "dependency cycle");
      const throwing = yield* Effect.flip(
        loadPlugins([
          definePlugin({
            id: "boom",
            register: () => {
              throw new Error("no config");
            },
          }),
        ]),
      );
      assert.strictEqual(throwing.pluginId, "boom");
      assert.include(throwing.reason, "no config");
    }),
  );

  it.effect("given two plugins declaring one event type, when loaded, then the second is refused", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        loadPlugins([
          definePlugin({ id: "a", register: (api) => api.events(Pinged) }),
          definePlugin({ id: "b", register: (api) => api.events(defineEvent({ ...Pinged, upcasters: {} })) }),
        ]),
      );
      assert.strictEqual(error.pluginId, "b");
    }),
  );

  it.effect("given an extension point, when another plugin extends it, then the owner reads the contribution", () =>
    Effect.gen(function* () {
      let greet: (name: string) => string = () => "";
      yield* loadPlugins([
        definePlugin({
          id: "base",
          register: (api) => {
            const greeters = api.extensionPoint(greeter);
            greet = (name) =>
              greeters
                .all()
                .map((g) => `${g.pluginId}:${g.value(name)}`)
                .join(",");
          },
        }),
        definePlugin({
          id: "polite",
          dependsOn: ["base"],
          register: (api) => api.extend(greeter, (n) => `hello ${n}`),
        }),
      ]);
      assert.strictEqual(greet("ada"), "polite:hello ada");
      const undeclared = yield* Effect.flip(
        loadPlugins([definePlugin({ id: "lonely", register: (api) => api.extend(greeter, (n) => n) })]),
      );
      assert.strictEqual(undeclared.pluginId, "lonely");
      assert.include(undeclared.reason, "no loaded plugin declares");
    }),
  );

  it.effect("given a plugin module written outside the repository, when imported by path, then it loads", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "anansky-third-party-"));
      symlinkSync(join(process.cwd(), "node_modules"), join(dir, "node_modules"));
      const coreEntry = pathToFileURL(join(process.cwd(), "core/index.ts")).href;
      writeFileSync(
        join(dir, "acme-plugin.ts"),
        [
          `import { Schema } from "effect";`,
          `import { defineEvent, definePlugin } from "${coreEntry}";`,
          `export const AcmeThing = defineEvent({ type: "AcmeThing", family: "acme", payload: Schema.Struct({ ok: Schema.Boolean }) });`,
          `export const acmePlugin = definePlugin({ id: "acme", register: (api) => api.events(AcmeThing) });`,
        ].join("\n"),
      );
      const plugins = yield* importPluginModules([pathToFileURL(join(dir, "acme-plugin.ts")).href]);
      const loaded = yield* loadPlugins(plugins);
      assert.deepStrictEqual(
        loaded.plugins.map((p) => p.id),
        ["acme"],
      );
      assert.strictEqual(loaded.events[0]?.family, "acme");
      const missing = yield* Effect.flip(importPluginModules([pathToFileURL(join(dir, "nope.ts")).href]));
      assert.include(missing.reason, "cannot import module");
    }),
  );
});
