/**
 * The plugin's own settings, from environment variables (Effect Config, so Node and Deno
 * alike): how often the timer ticks, how far behind the wall clock it evaluates, and how
 * long a process trusts its cached view of a tenant's rules.
 */
import { Config, Effect } from "effect";
import type { TickerOptions } from "./alertTicker.ts";

export interface AlertRulesSettings {
  readonly ticker: TickerOptions;
  /** A rule change reaches evaluation within this (default 2 s). */
  readonly ruleCacheTtlMs: number;
}

/**
 * ANANSKY_ALERT_TICK_INTERVAL_MS (default 5000), ANANSKY_ALERT_TICK_LAG_MS (default 60000,
 * the engine's late-reading tolerance), ANANSKY_ALERT_RULE_CACHE_MS (default 2000).
 *
 * @example
 * const settings = yield* alertRulesSettings;
 */
export const alertRulesSettings: Effect.Effect<AlertRulesSettings> = Effect.gen(function* () {
  const intervalMs = yield* Config.Int("ANANSKY_ALERT_TICK_INTERVAL_MS").pipe(Config.withDefault(5_000));
  const lagMs = yield* Config.Int("ANANSKY_ALERT_TICK_LAG_MS").pipe(Config.withDefault(60_000));
  const ruleCacheTtlMs = yield* Config.Int("ANANSKY_ALERT_RULE_CACHE_MS").pipe(Config.withDefault(2_000));
  return { ticker: { intervalMs: Math.max(100, intervalMs), lagMs: Math.max(0, lagMs) }, ruleCacheTtlMs };
}).pipe(Effect.orDie);

/**
 * The settings as the environment gives them now (the plugin reads them once, when it registers).
 *
 * @example
 * const { ruleCacheTtlMs } = readAlertRulesSettings();
 */
export const readAlertRulesSettings = (): AlertRulesSettings => Effect.runSync(alertRulesSettings);
