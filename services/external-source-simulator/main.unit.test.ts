import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";

const mainFile = fileURLToPath(new URL("./main.ts", import.meta.url));
const spawned = new Set<ChildProcess>();

const spawnSimulator = (...args: Array<string>) => {
  const child = spawn(process.execPath, [mainFile, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  spawned.add(child);
  return child;
};

const firstLine = async (child: ChildProcess): Promise<string> => {
  if (child.stdout === null) throw new Error("no stdout");
  const lines = createInterface({ input: child.stdout });
  const [line] = (await once(lines, "line")) as [string];
  lines.close();
  return line;
};

const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// Whatever a test did, no simulator outlives it.
afterEach(async () => {
  for (const child of spawned) {
    if (!hasExited(child)) {
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    }
  }
  spawned.clear();
});

it("prints its URL as the first stdout line, serves on it, and exits cleanly on SIGTERM", async () => {
  const child = spawnSimulator("--port", "0", "--host", "127.0.0.1");
  const line = await firstLine(child);
  expect(line).toMatch(/^\{"url": "http:\/\/127\.0\.0\.1:\d+"\}$/);
  const { url } = JSON.parse(line) as { url: string };

  const response = await fetch(`${url}/air-quality?site=cli`);
  expect(response.status).toBe(200);
  expect((await response.json()).site).toBe("cli");

  const exited = once(child, "exit");
  child.kill("SIGTERM");
  expect(await exited).toEqual([0, null]);
  expect(isAlive(child.pid ?? 0)).toBe(false);
});

it("binds 127.0.0.1 by default", async () => {
  const child = spawnSimulator("--port", "0");
  expect(JSON.parse(await firstLine(child)).url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const exited = once(child, "exit");
  child.kill("SIGINT");
  expect(await exited).toEqual([0, null]);
});

it("exits with its parent when asked to watch stdin", async () => {
  const child = spawnSimulator("--port", "0", "--exit-on-stdin-close");
  await firstLine(child);
  const exited = once(child, "exit");
  child.stdin?.end();
  expect(await exited).toEqual([0, null]);
});

it("refuses a bad port with a usage message and exit code 2", async () => {
  const child = spawnSimulator("--port", "not-a-port");
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const [code] = await once(child, "close"); // after stderr is fully read
  expect(code).toBe(2);
  expect(stderr).toContain("usage:");
});
