/**
 * The simulated outside world: the endpoints an enrichment plugin fetches, plus the awkward ones
 * its safety limits are tested against (a huge body, a redirect anywhere, a slow answer).
 */
import type { HttpBindings } from "@hono/node-server";
import { Hono } from "hono";
import { maxWaitMs } from "./controlSettings.ts";
import { waitFor } from "./faults.ts";
import { problemResponse } from "./problemResponse.ts";
import { airQualityAt, calibrationOf, weatherAt } from "./readings.ts";

/** Body size of `GET /big` when no `bytes` is given: 5 MiB. */
export const defaultBigBodyBytes = 5 * 1024 * 1024;
const maxBigBodyBytes = 100 * 1024 * 1024;
const bigBodyChunkBytes = 64 * 1024;
const redirectStatuses = [301, 302, 303, 307, 308] as const;

/** A finite number from a query parameter within [low, high], or undefined. Empty strings are not 0. */
const numberParam = (raw: string | undefined, low: number, high: number): number | undefined => {
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = Number(raw);
  return Number.isFinite(value) && value >= low && value <= high ? value : undefined;
};

const integerParam = (raw: string | undefined, low: number, high: number): number | undefined => {
  const value = numberParam(raw, low, high);
  return value !== undefined && Number.isInteger(value) ? value : undefined;
};

const invalidQuery = (detail: string) => problemResponse(400, "Invalid query", detail);

/** A JSON document of exactly `bytes` bytes: `{"padding":"xxx…"}`. */
const bigJsonBody = (bytes: number): Uint8Array<ArrayBuffer> => {
  const body = Buffer.alloc(bytes, "x");
  body.write('{"padding":"', 0);
  body.write('"}', bytes - 2);
  return body;
};

/** Hands out `body` in chunks, on demand, so a client that gives up early stops the transfer. */
const chunkedStream = (body: Uint8Array<ArrayBuffer>): ReadableStream<Uint8Array> => {
  let offset = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        controller.enqueue(body.subarray(offset, offset + bigBodyChunkBytes));
        offset += bigBodyChunkBytes;
        if (offset >= body.length) controller.close();
      },
    },
    { highWaterMark: 0 },
  );
};

/**
 * The simulated endpoints. `now` drives the weather's time bucket; `shutdown` ends `/slow` waits
 * when the simulator closes.
 *
 * @example
 * app.route("/", sourceRoutes({ now: () => new Date(), shutdown: controller.signal }));
 */
export const sourceRoutes = (options: { readonly now: () => Date; readonly shutdown: AbortSignal }) => {
  const app = new Hono<{ Bindings: HttpBindings }>();

  app.get("/weather", (c) => {
    const lat = numberParam(c.req.query("lat"), -90, 90);
    const lon = numberParam(c.req.query("lon"), -180, 180);
    if (lat === undefined || lon === undefined) {
      return invalidQuery("lat (-90..90) and lon (-180..180) must both be given as numbers");
    }
    return c.json(weatherAt(lat, lon, options.now()));
  });

  app.get("/air-quality", (c) => {
    const site = c.req.query("site");
    if (site === undefined || site.trim() === "") return invalidQuery("site must be given");
    return c.json(airQualityAt(site));
  });

  app.get("/devices/:id/calibration", (c) => c.json(calibrationOf(c.req.param("id"))));

  // ?bytes= sets the size; ?chunked=true streams it without Content-Length, so a client must
  // count bytes as they arrive rather than trust the header.
  app.get("/big", (c) => {
    const bytes = integerParam(c.req.query("bytes") ?? String(defaultBigBodyBytes), 16, maxBigBodyBytes);
    if (bytes === undefined) return invalidQuery(`bytes must be an integer from 16 to ${maxBigBodyBytes}`);
    const body = bigJsonBody(bytes);
    if (c.req.query("chunked") === "true") {
      return new Response(chunkedStream(body), { headers: { "content-type": "application/json" } });
    }
    return new Response(body, { headers: { "content-type": "application/json", "content-length": String(bytes) } });
  });

  // An open redirect on purpose: the client under test must refuse the places it should not go.
  app.get("/redirect", (c) => {
    const to = c.req.query("to");
    const status = integerParam(c.req.query("status") ?? "302", 300, 308);
    if (to === undefined || to === "") return invalidQuery("to must be given");
    if (status === undefined || !(redirectStatuses as ReadonlyArray<number>).includes(status)) {
      return invalidQuery(`status must be one of ${redirectStatuses.join(", ")}`);
    }
    if (!URL.canParse(to, c.req.url)) return invalidQuery("to must be a URL");
    return new Response(null, { status, headers: { location: new URL(to, c.req.url).href } });
  });

  app.get("/slow", async (c) => {
    const ms = integerParam(c.req.query("ms") ?? "1000", 0, maxWaitMs);
    if (ms === undefined) return invalidQuery(`ms must be an integer from 0 to ${maxWaitMs}`);
    await waitFor(ms, AbortSignal.any([c.req.raw.signal, options.shutdown]));
    return c.json({ waitedMs: ms });
  });

  return app;
};
