/**
 * What the worker does for every reading in the bench, set up through the platform's
 * public APIs as a tenant would: an external source every device triggers (enrichment)
 * and fleet-wide rules (evaluation), so the worker rows measure enrichment plus rule
 * evaluation rather than handlers that find nothing to do.
 *
 * - The source is weather at the device's location, served by the external-source
 *   simulator: `/weather?lat={attributes.lat|round:1}&lon={attributes.lon|round:1}`.
 *   Rounding to 0.1° (about 11 km) makes the devices of one site (ten per site, within
 *   about a kilometre) share a URL, hence a cache entry: 100 devices fall in 11 cells.
 *   Cache TTL 60 s (the platform's default, and what a weather API's data warrants: the
 *   simulator's weather changes every 10 minutes), so a worker fetches each cell about
 *   once a minute and serves the other readings from its cache, as a deployment would.
 * - `bench-fleet-temperature` (all devices, on every TelemetryRecorded):
 *   `reading.temperature > 200`, above anything the device simulator sends (healthy
 *   values are clamped to −10…50 °C and the bench sends no spikes; spikes stop at 150).
 * - `bench-fleet-outside` (all devices, on every TelemetryEnriched, since it reads an
 *   enrichment value): `enrichment.outside_temp > 60 and reading.temperature >
 *   enrichment.outside_temp`; the simulator's weather stays below about 21 °C at the
 *   latitudes of the simulated sites (36–60°).
 * Neither rule ever holds: no alert competes with the probe alerts of the latency row.
 */

/** The source's id; its enrichment keys are those of `weatherSourceMapping`. */
export const weatherSourceId = "bench-weather";
export const weatherCacheTtlMs = 60_000;
export const fleetTemperatureRuleId = "bench-fleet-temperature";
export const fleetOutsideRuleId = "bench-fleet-outside";

const weatherSourceMapping = {
  outside_temp: "/temperature_c",
  outside_humidity: "/humidity_pct",
  wind_kph: "/wind_kph",
};

/**
 * The source's definition (POST /v1/external-sources body).
 *
 * @example
 * weatherSource("http://127.0.0.1:41235").options.url
 * // "http://127.0.0.1:41235/weather?lat={attributes.lat|round:1}&lon={attributes.lon|round:1}"
 */
export const weatherSource = (simulatorUrl: string) => ({
  sourceId: weatherSourceId,
  name: "bench: weather at the device's location (external-source simulator)",
  kind: "http-json",
  options: { url: `${simulatorUrl}/weather?lat={attributes.lat|round:1}&lon={attributes.lon|round:1}` },
  mapping: weatherSourceMapping,
  // No trigger: every device, every reading.
  timeoutMs: 2_000,
  retries: 2,
  cacheTtlMs: weatherCacheTtlMs,
  rateLimit: { perSecond: 10, burst: 20 },
  circuitBreaker: { failureThreshold: 5, openMs: 30_000 },
});

const reading = (key: string) => ({ source: "reading", key });
const enrichment = (key: string) => ({ source: "enrichment", key });

/** The fleet-wide rules (POST /v1/rules bodies). */
export const fleetRules = [
  {
    ruleId: fleetTemperatureRuleId,
    name: "bench: any device above 200 °C (never holds)",
    severity: "critical",
    scope: { allDevices: true },
    condition: { type: "threshold", value: reading("temperature"), op: ">", threshold: 200 },
  },
  {
    ruleId: fleetOutsideRuleId,
    name: "bench: heatwave outside and warmer inside (never holds)",
    severity: "major",
    scope: { allDevices: true },
    condition: {
      type: "and",
      conditions: [
        { type: "threshold", value: enrichment("outside_temp"), op: ">", threshold: 60 },
        { type: "compare", left: reading("temperature"), op: ">", right: enrichment("outside_temp") },
      ],
    },
  },
] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const call = async (url: string, tenantKey: string, method: string, path: string, body?: unknown) => {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${tenantKey}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, text: await response.text() };
};

/** Creates it (one that exists already is fine), then waits until its read model shows it: the worker reads that one. */
const createAndAwait = async (
  url: string,
  tenantKey: string,
  collectionPath: string,
  id: string,
  body: unknown,
  timeoutMs: number,
) => {
  const created = await call(url, tenantKey, "POST", collectionPath, body);
  if (created.status !== 201 && created.status !== 409) {
    throw new Error(`POST ${collectionPath} (${id}) answered ${created.status}: ${created.text.slice(0, 300)}`);
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await call(url, tenantKey, "GET", `${collectionPath}/${id}`);
    if (found.status === 200) return;
    if (Date.now() > deadline) {
      throw new Error(`${collectionPath}/${id} was not readable within ${timeoutMs} ms: ${found.status} ${found.text}`);
    }
    await sleep(200);
  }
};

/**
 * Defines the weather source and, when the alert-rules plugin is loaded, the fleet rules;
 * resolves once the worker can see them. A worker must be running (it projects them).
 *
 * @example
 * await defineFleetWorkload({ url: api.url, tenantKey, simulatorUrl, withRules: true, timeoutMs: 30_000 });
 */
export const defineFleetWorkload = async (options: {
  readonly url: string;
  readonly tenantKey: string;
  readonly simulatorUrl: string;
  readonly withRules: boolean;
  readonly timeoutMs: number;
}): Promise<void> => {
  const { url, tenantKey, timeoutMs } = options;
  await createAndAwait(
    url,
    tenantKey,
    "/v1/external-sources",
    weatherSourceId,
    weatherSource(options.simulatorUrl),
    timeoutMs,
  );
  if (!options.withRules) return;
  for (const rule of fleetRules) await createAndAwait(url, tenantKey, "/v1/rules", rule.ruleId, rule, timeoutMs);
};
