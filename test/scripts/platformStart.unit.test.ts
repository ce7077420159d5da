/**
 * Every way a platform process starts gets the same Node arguments and environment
 * defaults: scripts/run-platform.sh (npm start, the Docker image) and
 * scripts/platformCommand.ts (the test harness, the bench).
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, assert, describe, it } from "@effect/vitest";
import { platformNodeArgs, withPlatformDefaults } from "../../scripts/platformCommand.ts";

const repositoryRoot = new URL("../../", import.meta.url).pathname;
const fakeBin = mkdtempSync(join(tmpdir(), "anansky-fake-node-"));
// A `node` that reports what it was started with instead of running the platform.
writeFileSync(
  join(fakeBin, "node"),
  ["#!/bin/sh", 'echo "MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX"', 'echo "$*"', ""].join("\n"),
);
chmodSync(join(fakeBin, "node"), 0o755);
afterAll(() => rmSync(fakeBin, { recursive: true, force: true }));

const runPlatform = (environment: Record<string, string>) =>
  execFileSync("bash", [join(repositoryRoot, "scripts/run-platform.sh")], {
    cwd: tmpdir(),
    env: { PATH: `${fakeBin}:${process.env.PATH ?? ""}`, ...environment },
    encoding: "utf8",
  }).split("\n");

describe("starting a platform process", () => {
  it("given no MALLOC_ARENA_MAX, then run-platform.sh and withPlatformDefaults both set two arenas", () => {
    const [arenas, args] = runPlatform({});
    assert.strictEqual(arenas, "MALLOC_ARENA_MAX=2");
    assert.strictEqual(args, platformNodeArgs().join(" "));
    assert.strictEqual(withPlatformDefaults({ PATH: "/bin" }).MALLOC_ARENA_MAX, "2");
    assert.strictEqual(withPlatformDefaults({ PATH: "/bin" }).PATH, "/bin");
  });

  it("given other variables set empty, then withPlatformDefaults passes them on as they are", () => {
    assert.strictEqual(withPlatformDefaults({ ANANSKY_SOMETHING: "" }).ANANSKY_SOMETHING, "");
  });

  it("given MALLOC_ARENA_MAX already set, then both keep it; an empty one counts as unset", () => {
    assert.strictEqual(runPlatform({ MALLOC_ARENA_MAX: "8" })[0], "MALLOC_ARENA_MAX=8");
    assert.strictEqual(withPlatformDefaults({ MALLOC_ARENA_MAX: "8" }).MALLOC_ARENA_MAX, "8");
    assert.strictEqual(runPlatform({ MALLOC_ARENA_MAX: "" })[0], "MALLOC_ARENA_MAX=2");
    assert.strictEqual(withPlatformDefaults({ MALLOC_ARENA_MAX: "" }).MALLOC_ARENA_MAX, "2");
  });
});
