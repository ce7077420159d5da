/**
 * Backtest throughput: stored readings are written straight into the ingest plugin's
 * `rm_readings` hour buckets (the read model backtests replay; going through ingest would
 * take most of the bench's time budget for a million readings), then one backtest over
 * all of them is timed through POST /v1/rules/backtest.
 */
import type { Db } from "mongodb";
import { type ReadingsBucket, readingsBucketForm, readingsBucketId } from "../plugins/ingest/index.ts";
import { FeatureUnavailable } from "./alertObserver.ts";
import { preciseNowMs } from "./percentiles.ts";

const hourMs = 3_600_000;

export interface StoredReadingsPlan {
  readonly devices: ReadonlyArray<string>;
  readonly fromMs: number;
  readonly toMs: number;
  readonly readings: number;
}

/**
 * Writes `readings` readings spread over `deviceCount` devices (`bt-0001`…), one every
 * `stepMs` per device, ending an hour before now. Temperatures wander around 21 °C with a
 * spike above 35 every 500 readings, so the backtest rule has alerts to raise and resolve.
 *
 * @example
 * const plan = await seedStoredReadings({ db, tenantId: "bench_x", readings: 1_000_000, deviceCount: 20 });
 */
export const seedStoredReadings = async (options: {
  readonly db: Db;
  readonly tenantId: string;
  readonly readings: number;
  readonly deviceCount: number;
  readonly stepMs?: number;
}): Promise<StoredReadingsPlan> => {
  const stepMs = options.stepMs ?? 2_000;
  const perDevice = Math.ceil(options.readings / options.deviceCount);
  const toMs = Math.floor(Date.now() / hourMs) * hourMs - hourMs;
  const fromMs = Math.floor((toMs - perDevice * stepMs) / hourMs) * hourMs;
  const collection = options.db.collection<{ _id: string }>("rm_readings");
  const devices: Array<string> = [];
  let written = 0;
  for (let device = 0; device < options.deviceCount && written < options.readings; device++) {
    const deviceId = `bt-${String(device + 1).padStart(4, "0")}`;
    devices.push(deviceId);
    const count = Math.min(perDevice, options.readings - written);
    const buckets = new Map<string, ReadingsBucket & { _id: string }>();
    for (let index = 0; index < count; index++) {
      const ts = fromMs + index * stepMs;
      const id = readingsBucketId(options.tenantId, deviceId, ts);
      const bucket = buckets.get(id) ?? {
        _id: id,
        tenantId: options.tenantId,
        deviceId,
        hour: new Date(Math.floor(ts / hourMs) * hourMs).toISOString(),
        samples: [],
        approxBytes: 0,
        droppedSamples: 0,
      };
      const temperature = index % 500 === 250 ? 40 : 21 + Math.sin(index / 300) * 3;
      const sample = {
        ts,
        id: `0190a000-0000-7000-8000-${String(device).padStart(4, "0")}${String(index).padStart(8, "0")}`,
        values: { temperature: Math.round(temperature * 100) / 100, humidity: 48.5, pressure: 1013.2 },
      };
      (bucket.samples as Array<typeof sample>).push(sample);
      buckets.set(id, { ...bucket, approxBytes: bucket.approxBytes + 120 });
    }
    // Stored as the readings projection stores its buckets.
    const documents = [...buckets.values()].map(({ _id, ...bucket }) => ({
      _id,
      ...readingsBucketForm.encode(bucket),
    }));
    for (let start = 0; start < documents.length; start += 10) {
      await collection.insertMany(documents.slice(start, start + 10), { ordered: false });
    }
    written += count;
  }
  return { devices, fromMs, toMs, readings: written };
};

/**
 * Times one backtest of a threshold rule over the seeded readings; events/s = readings
 * replayed ÷ the request's wall time.
 *
 * @example
 * const { perSecond } = await measureBacktest({ url, tenantKey, plan, timeoutMs: 180_000 });
 */
export const measureBacktest = async (options: {
  readonly url: string;
  readonly tenantKey: string;
  readonly plan: StoredReadingsPlan;
  readonly timeoutMs: number;
}): Promise<{ readonly perSecond: number; readonly note: string }> => {
  const startedAt = preciseNowMs();
  const response = await fetch(`${options.url}/v1/rules/backtest`, {
    method: "POST",
    headers: { authorization: `Bearer ${options.tenantKey}`, "content-type": "application/json" },
    body: JSON.stringify({
      rule: {
        name: "bench: temperature above 35",
        severity: "major",
        scope: { allDevices: true },
        condition: { type: "threshold", value: { source: "reading", key: "temperature" }, op: ">", threshold: 35 },
      },
      from: new Date(options.plan.fromMs).toISOString(),
      to: new Date(options.plan.toMs).toISOString(),
      devices: options.plan.devices,
    }),
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  const text = await response.text();
  const elapsedMs = preciseNowMs() - startedAt;
  if (response.status === 404 || response.status === 405) {
    throw new FeatureUnavailable(
      `POST /v1/rules/backtest answered ${response.status}: the alert-rules plugin (backtests) is not loaded`,
    );
  }
  if (response.status !== 200)
    throw new Error(`POST /v1/rules/backtest answered ${response.status}: ${text.slice(0, 200)}`);
  const { summary } = JSON.parse(text) as { summary: { readings: number; alerts: number; devices: number } };
  const note = [
    `${summary.readings.toLocaleString("en-US")} readings of ${summary.devices} devices in ${(elapsedMs / 1000).toFixed(1)} s`,
    `${summary.alerts} alerts`,
    ...(summary.readings !== options.plan.readings ? [`expected ${options.plan.readings} readings`] : []),
  ].join("; ");
  return { perSecond: (summary.readings * 1000) / elapsedMs, note };
};
