import { assert, describe, it } from "@effect/vitest";
import { Effect } from "effect";
import { decodeAppConfig } from "./AppConfig.ts";

const required = { MONGODB_URI: "mongodb://127.0.0.1:27017/", KAFKA_BOOTSTRAP_SERVERS: "127.0.0.1:9092" };

describe("AppConfig", () => {
  it.effect("given the Python system's variables, when decoded, then they keep their meaning", () =>
    Effect.gen(function* () {
      const config = yield* decodeAppConfig({
        ...required,
        DATABASE_NAME: "telemetry",
        KAFKA_GROUP_ID: "legacy-group",
        MODE: "consumer",
        CONSUMER_TYPE: "alert_evaluator",
      });
      assert.strictEqual(config.DATABASE_NAME, "telemetry");
      assert.strictEqual(config.KAFKA_GROUP_ID, "legacy-group");
      assert.strictEqual(config.MODE, "consumer");
      assert.strictEqual(config.CONSUMER_TYPE, "alert_evaluator");
    }),
  );

  it.effect("given only the required variables, when decoded, then defaults fill the rest", () =>
    Effect.gen(function* () {
      const config = yield* decodeAppConfig({ ...required, ANANSKY_PLUGINS: " ./a.ts, b ,," });
      assert.strictEqual(config.DATABASE_NAME, "anansky");
      assert.strictEqual(config.MODE, "all");
      assert.strictEqual(config.PORT, 8080);
      assert.deepStrictEqual(config.ANANSKY_PLUGINS, ["./a.ts", "b"]);
    }),
  );

  it.effect("given several bad variables, when decoded, then every one is reported at once", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(decodeAppConfig({ MODE: "batch", PORT: "70000", DATABASE_NAME: "a b" }));
      const variables = error.issues.map((issue) => issue.variable).sort();
      assert.deepStrictEqual(variables, ["DATABASE_NAME", "KAFKA_BOOTSTRAP_SERVERS", "MODE", "MONGODB_URI", "PORT"]);
      assert.include(error.message, "MODE:");
    }),
  );
});
