/**
 * Backtests a new or changed rule over stored telemetry: for each device in range, the
 * engine runs a backtest over the device's stored readings from `from` to `to`. Nothing
 * is appended and no live state is read or written. All devices' buckets come in one
 * stream (backtestReadings.ts), each fed to its device's run as it arrives; progress is
 * reported as each device completes.
 */
import { Effect, Stream } from "effect";
import { compareStoredIds, ReadModelStore, ValidationFailed } from "../../core/index.ts";
import { type DeviceDocument, devicesCollection } from "../devices/index.ts";
import { devicesInCompletionOrder, storedBuckets } from "./backtestReadings.ts";
import type { ConditionTypes } from "./conditionTypes.ts";
import { type BacktestAlert, type BacktestRun, type Rule, startBacktest } from "./engineApi.ts";
import type { BacktestBody } from "./requestSchemas.ts";
import { scopeFieldsOf } from "./rulesProjection.ts";

/** The longest range one backtest covers. */
export const maxBacktestRangeMs = 31 * 86_400_000;

/** One line of progress: after each device. */
export interface BacktestProgress {
  readonly type: "progress";
  readonly devicesDone: number;
  readonly devicesTotal: number;
  readonly readings: number;
  readonly alerts: number;
}

export interface BacktestSummary {
  readonly devices: number;
  readonly devicesWithAlerts: number;
  readonly readings: number;
  readonly alerts: number;
  /** Alerts still open at `to`. */
  readonly openAtEnd: number;
  readonly bySeverity: Readonly<Record<string, number>>;
  /** Samples the readings buckets dropped when full: the history lacks them. */
  readonly droppedSamples: number;
  readonly durationMs: number;
}

const invalid = (field: string, reason: string) =>
  new ValidationFailed({ detail: "the backtest request is invalid", errors: [{ field, reason }] });

/** The devices to replay: the ones named, else those the rule's scope covers now. */
const devicesToReplay = (tenantId: string, rule: Rule, named: ReadonlyArray<string> | undefined) =>
  Effect.gen(function* () {
    if (named !== undefined) return [...new Set(named)];
    const scope = scopeFieldsOf(rule);
    if (scope.scopeKind === "device" && scope.scopeValue !== null) return [scope.scopeValue];
    const store = yield* ReadModelStore;
    const filter = scope.scopeKind === "tag" ? { tenantId, tags: scope.scopeValue } : { tenantId };
    const devices = (yield* store.find(devicesCollection, filter, {
      sort: { deviceId: 1 },
    })) as unknown as ReadonlyArray<DeviceDocument>;
    return devices.map((device) => device.deviceId);
  });

/**
 * Decodes and checks a backtest request: the rule with the engine's schema (field paths
 * under `rule.`), the range.
 *
 * @example
 * const plan = yield* planBacktest("acme", body, types);
 */
export const planBacktest = Effect.fn("alertRules.planBacktest")(function* (
  tenantId: string,
  body: BacktestBody,
  types: ConditionTypes,
) {
  const fromMs = Date.parse(body.from);
  const toMs = Date.parse(body.to);
  if (!(fromMs < toMs)) return yield* invalid("from", "must be before to");
  if (toMs - fromMs > maxBacktestRangeMs) return yield* invalid("to", "a backtest covers at most 31 days");
  const { tenantId: _t, version: _v, ...ruleBody } = body.rule;
  const rule = yield* types.decodeRule(
    { ruleId: "backtest", enabled: true, ...ruleBody, tenantId, version: 1 },
    "rule",
  );
  if (types.factsOf(rule).usesEnrichment) {
    return yield* invalid("rule.condition", "reads enrichment values, which stored readings do not carry");
  }
  const devices = yield* devicesToReplay(tenantId, rule, body.devices);
  return { rule, fromMs, toMs, devices };
});

/**
 * Runs a planned backtest, reporting progress after each device.
 *
 * @example
 * const { alerts, summary } = yield* runBacktest("acme", types, plan, (p) => Effect.sync(() => write(p)));
 */
export const runBacktest = Effect.fn("alertRules.runBacktest")(function* <E, R>(
  tenantId: string,
  types: ConditionTypes,
  plan: {
    readonly rule: Rule;
    readonly fromMs: number;
    readonly toMs: number;
    readonly devices: ReadonlyArray<string>;
  },
  onProgress: (progress: BacktestProgress) => Effect.Effect<void, E, R>,
) {
  const started = Date.now();
  const registry = types.registry();
  // A device's run is started at its first bucket and dropped once it finishes. A device's
  // buckets come together, so one run is held at a time (a device without buckets gets a
  // fresh run only to be finished).
  const runs = new Map<string, BacktestRun>();
  const runOf = (deviceId: string): BacktestRun => {
    const run = runs.get(deviceId) ?? startBacktest(plan.rule, { registry, until: plan.toMs });
    runs.set(deviceId, run);
    return run;
  };
  const alertsOf = new Map<string, ReadonlyArray<BacktestAlert>>();
  let readings = 0;
  let alertCount = 0;
  let droppedSamples = 0;
  const completing = devicesInCompletionOrder(tenantId, plan.devices, plan.toMs);
  let devicesDone = 0;
  /** Finishes, in completion order, the devices whose buckets all came before `bucketId` (all: undefined). */
  const finishBefore = (bucketId: string | undefined) =>
    Effect.gen(function* () {
      for (let next = completing[devicesDone]; next !== undefined; next = completing[devicesDone]) {
        if (bucketId !== undefined && compareStoredIds(next.lastBucketId, bucketId) >= 0) return;
        // A device without buckets still lets its time run to `to` (absence rules raise there).
        const deviceAlerts = runOf(next.deviceId).finish();
        runs.delete(next.deviceId);
        alertsOf.set(next.deviceId, deviceAlerts);
        alertCount += deviceAlerts.length;
        devicesDone++;
        yield* onProgress({
          type: "progress",
          devicesDone,
          devicesTotal: plan.devices.length,
          readings,
          alerts: alertCount,
        });
      }
    });
  let previousBucketId: string | undefined;
  yield* storedBuckets(tenantId, completing, plan.fromMs, plan.toMs).pipe(
    Stream.runForEach((bucket) =>
      Effect.gen(function* () {
        // Finishing devices relies on the order: a store that broke it would lose readings quietly.
        if (previousBucketId !== undefined && compareStoredIds(bucket.bucketId, previousBucketId) <= 0) {
          return yield* Effect.die(
            new Error(`backtest buckets out of order: ${bucket.bucketId} after ${previousBucketId}`),
          );
        }
        previousBucketId = bucket.bucketId;
        yield* finishBefore(bucket.bucketId);
        const run = runOf(bucket.deviceId);
        droppedSamples += bucket.droppedSamples;
        for (const reading of bucket.readings) {
          run.push(reading);
          readings++;
        }
      }),
    ),
  );
  yield* finishBefore(undefined);
  // Devices in the order asked for, each device's alerts in time order.
  const alerts = plan.devices.flatMap((deviceId) => alertsOf.get(deviceId) ?? []);
  const bySeverity: Record<string, number> = {};
  for (const alert of alerts) bySeverity[alert.severity] = (bySeverity[alert.severity] ?? 0) + 1;
  const summary: BacktestSummary = {
    devices: plan.devices.length,
    devicesWithAlerts: new Set(alerts.map((alert) => alert.deviceId)).size,
    readings,
    alerts: alerts.length,
    openAtEnd: alerts.filter((alert) => alert.resolvedAt === null).length,
    bySeverity,
    droppedSamples,
    durationMs: Date.now() - started,
  };
  return { alerts, summary };
});
