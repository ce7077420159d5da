/**
 * `npm run anansky -- <command>`: the operator's CLI over the admin API.
 *
 *   dead-letters list [--group G] [--status dead|replayed]
 *   dead-letters show <id>
 *   dead-letters replay <id>
 *   projections list
 *   projections rebuild <name>
 *
 * ANANSKY_URL (default http://127.0.0.1:8080) and ANANSKY_ADMIN_TOKEN say where and who.
 */
import { parseArgs } from "node:util";

const usage = `usage: anansky dead-letters list [--group G] [--status dead|replayed]
       anansky dead-letters show <id>
       anansky dead-letters replay <id>
       anansky projections list
       anansky projections rebuild <name>`;

const baseUrl = (process.env.ANANSKY_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");
const token = process.env.ANANSKY_ADMIN_TOKEN ?? "";

const call = async (method: "GET" | "POST", path: string): Promise<unknown> => {
  const response = await fetch(`${baseUrl}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const problem = body as { title?: string; detail?: string };
    throw new Error(`${response.status} ${problem.title ?? response.statusText}: ${problem.detail ?? ""}`);
  }
  return body;
};

const printTable = (rows: ReadonlyArray<Record<string, unknown>>, columns: ReadonlyArray<string>) => {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? "").length)));
  const line = (cells: ReadonlyArray<string>) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ");
  console.log(line(columns));
  for (const row of rows) console.log(line(columns.map((c) => String(row[c] ?? ""))));
};

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { group: { type: "string" }, status: { type: "string" } },
});
const [area, command, argument] = positionals;

const run = async (): Promise<void> => {
  if (area === "dead-letters" && command === "list") {
    const query = new URLSearchParams();
    if (values.group !== undefined) query.set("group", values.group);
    if (values.status !== undefined) query.set("status", values.status);
    const { deadLetters } = (await call("GET", `/admin/dead-letters?${query}`)) as {
      deadLetters: ReadonlyArray<Record<string, unknown>>;
    };
    printTable(deadLetters, ["id", "eventType", "attempts", "status", "failedAt"]);
  } else if (area === "dead-letters" && command === "show" && argument !== undefined) {
    console.log(JSON.stringify(await call("GET", `/admin/dead-letters/${encodeURIComponent(argument)}`), null, 2));
  } else if (area === "dead-letters" && command === "replay" && argument !== undefined) {
    await call("POST", `/admin/dead-letters/${encodeURIComponent(argument)}/replay`);
    console.log(`replayed ${argument}`);
  } else if (area === "projections" && command === "list") {
    const { projections } = (await call("GET", "/admin/projections")) as {
      projections: ReadonlyArray<Record<string, unknown>>;
    };
    printTable(projections, ["name", "version", "status", "eventsApplied", "updatedAt"]);
  } else if (area === "projections" && command === "rebuild" && argument !== undefined) {
    console.log(
      JSON.stringify(await call("POST", `/admin/projections/${encodeURIComponent(argument)}/rebuild`), null, 2),
    );
  } else {
    console.error(usage);
    process.exitCode = 2;
  }
};

run().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
