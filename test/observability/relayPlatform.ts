/**
 * The relay test plugin (fixtures/relayPlugin.ts.template) installed as a third-party
 * plugin outside the repository, and the environment both observability e2e tests give
 * the platform processes they start.
 */
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repositoryRoot } from "../harness/platformProcess.ts";
import { uniqueName } from "../harness/testEnvironment.ts";

export const adminToken = "observability-e2e-admin-token-0123456789";

/**
 * Writes the plugin and returns the environment that loads it, with topics and groups
 * of this test's own.
 *
 * @example
 * const env = relayEnvironment("tracing");
 * const api = await startPlatform({ ...env, MODE: "server" });
 */
export interface RelayEnvironment extends Record<string, string> {
  readonly ANANSKY_PLUGINS: string;
  readonly ANANSKY_TOPIC_PREFIX: string;
  readonly KAFKA_GROUP_ID: string;
  readonly ANANSKY_ADMIN_TOKEN: string;
}

export const relayEnvironment = (label: string): RelayEnvironment => {
  const dir = mkdtempSync(join(tmpdir(), "anansky-relay-"));
  symlinkSync(join(repositoryRoot, "node_modules"), join(dir, "node_modules"));
  const template = readFileSync(join(repositoryRoot, "test/observability/fixtures/relayPlugin.ts.template"), "utf8");
  writeFileSync(
    join(dir, "relay-plugin.ts"),
    template.replaceAll("CORE_ENTRY", pathToFileURL(join(repositoryRoot, "core/index.ts")).href),
  );
  return {
    ANANSKY_PLUGINS: join(dir, "relay-plugin.ts"),
    ANANSKY_TOPIC_PREFIX: uniqueName(label),
    KAFKA_GROUP_ID: uniqueName(`${label}-group`),
    ANANSKY_ADMIN_TOKEN: adminToken,
  };
};

/**
 * Posts one relay request; resolves to the RelayRequested event's id.
 *
 * @example
 * const eventId = await postRelay(api.url, 1);
 */
export const postRelay = async (url: string, n: number): Promise<string> => {
  const response = await fetch(`${url}/v1/test/relays/${n}`, { method: "POST" });
  if (response.status !== 202) throw new Error(`relay ${n}: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { eventId: string }).eventId;
};

/**
 * Closes a test's HTTP server (if it was started), dropping kept-alive connections.
 *
 * @example
 * afterAll(() => closeServer(receiver));
 */
export const closeServer = (server: Server | undefined): Promise<void> =>
  server === undefined
    ? Promise.resolve()
    : new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
