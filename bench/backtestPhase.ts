/**
 * The backtest row, after every other phase: seed the stored readings once, time one
 * device to see what fits the time budget, then time `runs` backtests over that many
 * devices (all of them when the budget allows). The stored total stays the same, so
 * the store holds the full history whichever share of it one backtest replays.
 */
import type { Db } from "mongodb";
import { measureBacktest, seedStoredReadings } from "./backtestThroughput.ts";
import type { BenchScale } from "./benchOptions.ts";
import type { BenchPlatform } from "./benchPlatform.ts";
import type { RowRecorder } from "./benchRows.ts";
import { withinTimeLimit } from "./benchRun.ts";
import { preciseNowMs } from "./percentiles.ts";

/**
 * @example
 * await runBacktests({ platform, db, scale, rows, runs: 3, log });
 */
export const runBacktests = async (options: {
  readonly platform: BenchPlatform;
  readonly db: Db;
  readonly scale: BenchScale;
  readonly rows: RowRecorder;
  readonly runs: number;
  readonly log: (message: string) => void;
}): Promise<void> => {
  const { platform, scale, rows, log } = options;
  if (platform.alertRulesMissing !== undefined) {
    for (let run = 0; run < options.runs; run++) rows.notAvailable("backtest", platform.alertRulesMissing);
    return;
  }
  const limit = scale.phaseTimeLimitMs;
  log(`backtest: storing ${scale.backtest.readings.toLocaleString("en-US")} readings in rm_readings`);
  const seedingStarted = preciseNowMs();
  const stored = await withinTimeLimit(limit * 3, "storing the backtest readings", () =>
    seedStoredReadings({
      db: options.db,
      tenantId: platform.tenantId,
      readings: scale.backtest.readings,
      deviceCount: scale.backtest.devices,
    }),
  ).catch((error: unknown) => `storing the readings failed: ${String(error)}`);
  if (typeof stored === "string") {
    for (let run = 0; run < options.runs; run++) rows.notAvailable("backtest", stored);
    return;
  }
  const seedingSeconds = (preciseNowMs() - seedingStarted) / 1000;

  const call = (devices: ReadonlyArray<string>) =>
    measureBacktest({
      url: platform.api.url,
      tenantKey: platform.tenantKey,
      plan: { ...stored, devices, readings: Math.round((stored.readings * devices.length) / stored.devices.length) },
      timeoutMs: limit,
    });
  // One device first: a warm-up, and the estimate of what fits the budget.
  log("backtest: timing one device");
  const oneStarted = preciseNowMs();
  const probe = await call(stored.devices.slice(0, 1)).catch((error: unknown) =>
    error instanceof Error ? error.message : String(error),
  );
  if (typeof probe === "string") {
    for (let run = 0; run < options.runs; run++) rows.notAvailable("backtest", probe);
    return;
  }
  const perDeviceMs = preciseNowMs() - oneStarted;
  const fitting = Math.max(1, Math.min(stored.devices.length, Math.floor(scale.backtestBudgetMs / perDeviceMs)));
  const devices = stored.devices.slice(0, fitting);
  const share =
    fitting === stored.devices.length
      ? "all stored readings"
      : `${fitting} of ${stored.devices.length} devices (what fits ${scale.backtestBudgetMs / 1000} s)`;
  const note = (detail: string) =>
    `${stored.readings.toLocaleString("en-US")} stored (in ${seedingSeconds.toFixed(0)} s), replayed ${share}: ${detail}`;
  // When only the one device fits, the timing of it was the first run already.
  let first = 1;
  if (fitting === 1 && stored.devices.length > 1) {
    rows.record("backtest", probe.perSecond, { note: note(probe.note) });
    first = 2;
  }
  for (let run = first; run <= options.runs; run++) {
    log(`backtest ${run}/${options.runs}: ${share}`);
    await rows.measure("backtest", async () => {
      const result = await call(devices);
      return run === 1 ? { value: result.perSecond, note: note(result.note) } : result.perSecond;
    });
  }
};
