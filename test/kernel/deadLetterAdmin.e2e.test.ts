/**
 * End to end through real processes: a third-party plugin loaded from outside the
 * repository, whose handler is broken, dead-letters an event after N attempts; the CLI
 * lists and shows it; once the handler is fixed, the CLI replays it and it is processed
 * exactly once.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { type PlatformProcess, repositoryRoot, startPlatform } from "../harness/platformProcess.ts";
import { eventually, uniqueName } from "../harness/testEnvironment.ts";

const run = promisify(execFile);
const adminToken = "test-admin-token-0123456789";
let platform: PlatformProcess | undefined;
afterAll(async () => {
  await platform?.stop();
});

describe("dead letters through the admin API and CLI", () => {
  it("dead-letters a failing event, then replays it once fixed, processing it once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "anansky-poke-"));
    symlinkSync(join(repositoryRoot, "node_modules"), join(dir, "node_modules"));
    const brokenFlag = join(dir, "broken");
    const log = join(dir, "side-effects.log");
    writeFileSync(brokenFlag, "");
    writeFileSync(log, "");
    const template = readFileSync(join(repositoryRoot, "test/kernel/fixtures/pokePlugin.ts.template"), "utf8");
    writeFileSync(
      join(dir, "poke-plugin.ts"),
      template
        .replace("CORE_ENTRY", pathToFileURL(join(repositoryRoot, "core/index.ts")).href)
        .replaceAll('"BROKEN_FLAG"', JSON.stringify(brokenFlag))
        .replaceAll('"LOG"', JSON.stringify(log)),
    );

    platform = await startPlatform({
      MODE: "all",
      ANANSKY_PLUGINS: join(dir, "poke-plugin.ts"),
      ANANSKY_TOPIC_PREFIX: uniqueName("dlq"),
      KAFKA_GROUP_ID: uniqueName("dlq-group"),
      ANANSKY_ADMIN_TOKEN: adminToken,
      ANANSKY_HANDLER_MAX_ATTEMPTS: "3",
      ANANSKY_HANDLER_RETRY_BASE_MS: "10",
    });
    const url = platform.url;
    const cli = (...args: Array<string>) =>
      run(process.execPath, ["services/cli/main.ts", ...args], {
        cwd: repositoryRoot,
        env: { ...process.env, ANANSKY_URL: url, ANANSKY_ADMIN_TOKEN: adminToken },
      });

    const posted = await fetch(`${url}/v1/test/pokes/41`, { method: "POST" });
    expect(posted.status).toBe(202);
    const { eventId } = (await posted.json()) as { eventId: string };

    const listed = await eventually(
      async () => {
        const { stdout } = await cli("dead-letters", "list", "--status", "dead");
        return stdout.includes("Poked") ? stdout : undefined;
      },
      { what: "the dead letter", timeoutMs: 60_000, intervalMs: 250 },
    );
    const deadLetterId = listed.split("\n")[1]?.split(/\s+/)[0] ?? "";
    const shown = JSON.parse((await cli("dead-letters", "show", deadLetterId)).stdout) as Record<string, unknown>;
    expect(shown.eventId).toBe(eventId);
    expect(shown.attempts).toBe(3);
    expect(String(shown.error)).toContain("handler is broken for poke 41");
    expect(readFileSync(log, "utf8")).toBe("");

    rmSync(brokenFlag);
    await cli("dead-letters", "replay", deadLetterId);
    await eventually(() => (readFileSync(log, "utf8") === "41\n" ? true : undefined), { what: "the replayed poke" });
    // Replaying again changes nothing: the event is already processed for that group.
    await cli("dead-letters", "replay", deadLetterId);
    const after = await fetch(`${url}/v1/test/pokes/42`, { method: "POST" });
    expect(after.status).toBe(202);
    await eventually(() => (readFileSync(log, "utf8").includes("42") ? true : undefined), { what: "the next poke" });
    expect(readFileSync(log, "utf8")).toBe("41\n42\n");

    const unauthorized = await fetch(`${url}/admin/dead-letters`);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("content-type")).toContain("application/problem+json");
    expect(await platform.stop()).toBe(0);
  });
});
