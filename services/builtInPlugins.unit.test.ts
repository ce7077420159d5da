import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { decodeAppConfig } from "../core/index.ts";
import { builtInPluginIds, builtInPlugins } from "./builtInPlugins.ts";

describe("built-in plugins", () => {
  it("lists the ids of exactly the plugins it builds in", async () => {
    const config = await Effect.runPromise(
      decodeAppConfig({ MONGODB_URI: "mongodb://127.0.0.1:1/", KAFKA_BOOTSTRAP_SERVERS: "127.0.0.1:1" }),
    );
    expect(builtInPlugins(config).map((plugin) => plugin.id)).toEqual(builtInPluginIds);
  });
});
