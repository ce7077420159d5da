/**
 * The Hono baseline's server: one trivial route (`POST /echo` answers 202 with a small
 * JSON body, as ingest does) on @hono/node-server, the platform's HTTP stack, in a
 * process of its own like the api. Prints its port on stdout, then serves until SIGTERM.
 *
 * @example
 * node bench/trivialHonoServer.ts   # prints e.g. 41234
 */
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const app = new Hono();
app.post("/echo", async (c) => {
  await c.req.arrayBuffer();
  return c.json({ accepted: 1 }, 202);
});

const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
  process.stdout.write(`${info.port}\n`);
});
const close = () => server.close(() => process.exit(0));
process.once("SIGTERM", close);
process.once("SIGINT", close);
// Never outlive the bench that started it.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && process.exit(0), 500).unref();
