// Flags to options: defaults, environment fallbacks, and usage errors.
import { assert, describe, it } from "@effect/vitest";
import { CliUsageError, parseCliArguments } from "./cliOptions.ts";
import { optionProblems } from "./simulationOptions.ts";

const run = (args: Array<string>, env: Record<string, string> = {}) => {
  const command = parseCliArguments(args, env);
  if (command.kind !== "run") throw new Error("expected a run");
  return command;
};

describe("simulator command line", () => {
  it("reads every flag", () => {
    const { options, json } = run(
      "--devices 5 --rate 50 --duration 10 --batch 20 --concurrency 4 --url http://127.0.0.1:9000 --tenant acme --tenant-key ak_t_x --keys-file k.json --seed 42 --silence 0.1 --silence-seconds 2-8 --spike 0.05 --payload-version 1 --timeout-ms 500 --json".split(
        " ",
      ),
    );
    assert.isTrue(json);
    assert.deepInclude(options, {
      deviceCount: 5,
      ratePerSecond: 50,
      durationSeconds: 10,
      batchSize: 20,
      concurrency: 4,
      url: "http://127.0.0.1:9000",
      tenantId: "acme",
      tenantKey: "ak_t_x",
      keysFilePath: "k.json",
      seed: 42,
      silenceProbability: 0.1,
      silenceSeconds: { min: 2, max: 8 },
      spikeProbability: 0.05,
      payloadVersion: 1,
      requestTimeoutMs: 500,
    });
  });

  it("defaults to 50 devices, 1,000 readings/s, batches of 100 for 60 s on the local API", () => {
    const { options, json } = run([]);
    assert.isFalse(json);
    assert.deepInclude(options, {
      deviceCount: 50,
      ratePerSecond: 1000,
      batchSize: 100,
      durationSeconds: 60,
      url: "http://127.0.0.1:8080",
    });
    assert.deepStrictEqual(optionProblems(options), []);
  });

  it("runs to the count alone when --count is given without --duration", () => {
    const { options } = run(["--count", "500"]);
    assert.strictEqual(options.count, 500);
    assert.isUndefined(options.durationSeconds);
  });

  it("takes the URL and the secrets from the environment, flags first, empty meaning unset", () => {
    const env = { ANANSKY_URL: "http://127.0.0.1:7000", ANANSKY_ADMIN_TOKEN: "from-env", ANANSKY_TENANT_KEY: "" };
    assert.deepInclude(run([], env).options, { url: "http://127.0.0.1:7000", adminToken: "from-env" });
    assert.isUndefined(run([], env).options.tenantKey);
    assert.strictEqual(run(["--admin-token", "from-flag"], env).options.adminToken, "from-flag");
  });

  it("answers --help", () => {
    assert.deepStrictEqual(parseCliArguments(["-h"], {}), { kind: "help" });
  });

  it("refuses unknown flags, non-numbers and bad payload versions", () => {
    for (const args of [
      ["--devises", "5"],
      ["--rate", "fast"],
      ["--payload-version", "3"],
      ["--silence-seconds", "x"],
    ]) {
      assert.throws(() => parseCliArguments(args, {}), CliUsageError);
    }
  });

  it("lists every problem with values that parse but cannot run", () => {
    const { options } = run("--devices 0 --batch 5000 --spike 2 --url ftp://x".split(" "));
    assert.strictEqual(optionProblems(options).length, 4);
  });
});
