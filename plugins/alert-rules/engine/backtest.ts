/**
 * Backtest: a rule run over stored readings, returning the alerts it would have raised.
 * It drives the very `evaluate` live evaluation uses, with readings only: since the engine
 * evaluates at the exact instants where time alone changes a rule, live ticks add nothing
 * a backtest misses, and both give the same alerts for the same readings in the same order.
 */
import type { AlertTransition } from "./alertTransition.ts";
import type { ConditionRegistry } from "./conditionRegistry.ts";
import { type EngineInput, evaluate, initialState } from "./evaluateRule.ts";
import type { Reading } from "./recordReading.ts";
import type { RuleDeviceState } from "./ruleDeviceState.ts";
import type { ObservedValue, Severity } from "./ruleFields.ts";
import type { Rule } from "./ruleSchema.ts";

/** One alert the rule would have raised. */
export interface BacktestAlert {
  readonly alertId: string;
  readonly deviceId: string;
  readonly raisedAt: number;
  /** null: still open when the history ended. */
  readonly resolvedAt: number | null;
  /** The highest severity it reached (escalations included). */
  readonly severity: Severity;
  readonly peakValue: ObservedValue;
  readonly peakAt: number;
}

/**
 * @example
 * backtest(rule, readings, { registry, lateToleranceMs: 30_000, until: Date.parse("2025-03-02T00:00:00Z") })
 */
export interface BacktestOptions {
  readonly registry?: ConditionRegistry | undefined;
  readonly lateToleranceMs?: number | undefined;
  /** Let device time run to here after the last reading (ms), as ticks would: silences at the end then count. */
  readonly until?: number | undefined;
}

/** A backtest fed reading by reading (e.g. from a paged or streamed history), finished once. */
export interface BacktestRun {
  readonly push: (reading: Reading) => void;
  readonly finish: () => Array<BacktestAlert>;
}

interface DeviceRun {
  state: RuleDeviceState;
  readonly alerts: Map<string, BacktestAlert>;
}

const applyTransition = (deviceId: string, alerts: Map<string, BacktestAlert>, transition: AlertTransition) => {
  switch (transition.type) {
    case "AlertRaised":
      alerts.set(transition.alertId, {
        alertId: transition.alertId,
        deviceId,
        raisedAt: transition.at,
        resolvedAt: null,
        severity: transition.severity,
        peakValue: transition.value,
        peakAt: transition.at,
      });
      return;
    case "AlertEscalated": {
      const alert = alerts.get(transition.alertId);
      if (alert !== undefined) alerts.set(transition.alertId, { ...alert, severity: transition.to });
      return;
    }
    case "AlertResolved": {
      const alert = alerts.get(transition.alertId);
      if (alert === undefined) return;
      const { peak, peakAt } = transition;
      alerts.set(transition.alertId, { ...alert, resolvedAt: transition.at, peakValue: peak, peakAt });
      return;
    }
    default:
      return;
  }
};

/** An alert still open at the end reports the peak the state has followed so far. */
const withOpenPeak = (alert: BacktestAlert, state: RuleDeviceState): BacktestAlert =>
  alert.resolvedAt === null && state.open?.alertId === alert.alertId
    ? { ...alert, peakValue: state.open.peak, peakAt: state.open.peakAt }
    : alert;

/**
 * Starts a backtest; readings of several devices may be interleaved (each device keeps its
 * own state), each device's in the order live evaluation received them.
 *
 * @example
 * const run = startBacktest(rule, { until: to });
 * for await (const page of pages) for (const reading of page) run.push(reading);
 * const alerts = run.finish();
 */
export const startBacktest = (rule: Rule, options: BacktestOptions = {}): BacktestRun => {
  const devices = new Map<string, DeviceRun>();
  const evaluateOptions = { lateToleranceMs: options.lateToleranceMs };
  const step = (deviceId: string, run: DeviceRun, input: EngineInput) => {
    const result = evaluate(rule, run.state, input, options.registry, evaluateOptions);
    run.state = result.state;
    for (const transition of result.transitions) applyTransition(deviceId, run.alerts, transition);
  };
  return {
    push: (reading) => {
      const run = devices.get(reading.deviceId) ?? { state: initialState(rule), alerts: new Map() };
      devices.set(reading.deviceId, run);
      step(reading.deviceId, run, { kind: "reading", ...reading });
    },
    finish: () => {
      const alerts: Array<BacktestAlert> = [];
      for (const [deviceId, run] of devices) {
        if (options.until !== undefined) step(deviceId, run, { kind: "tick", now: options.until });
        alerts.push(...[...run.alerts.values()].map((alert) => withOpenPeak(alert, run.state)));
      }
      return alerts.sort((a, b) => a.raisedAt - b.raisedAt || a.deviceId.localeCompare(b.deviceId));
    },
  };
};

/**
 * The alerts `rule` would have raised over `readings` (one device or several, each in
 * device-time order, or in the order they were received).
 *
 * @example
 * const alerts = backtest(rule, readings, { until: Date.parse("2025-03-02T00:00:00Z") });
 * // [{ alertId, deviceId: "pump-1", raisedAt, resolvedAt, severity: "major", peakValue: 91.5, peakAt }]
 */
export const backtest = (
  rule: Rule,
  readings: Iterable<Reading>,
  options: BacktestOptions = {},
): Array<BacktestAlert> => {
  const run = startBacktest(rule, options);
  for (const reading of readings) run.push(reading);
  return run.finish();
};
