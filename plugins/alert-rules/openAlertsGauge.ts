/**
 * Publishes the open alerts by severity (`anansky_alerts_open`) from the alerts read model,
 * every few seconds, for the life of the worker.
 */
import { Effect, Schedule } from "effect";
import { ReadModelStore, recordOpenAlerts } from "../../core/index.ts";
import { alertsCollection } from "./alertsProjection.ts";

const severities = ["critical", "major", "minor", "warning", "info"] as const;

const publishOnce = Effect.gen(function* () {
  const store = yield* ReadModelStore;
  const open = yield* store.find(alertsCollection, { status: "open" });
  for (const severity of severities) {
    yield* recordOpenAlerts(severity, open.filter((alert) => alert.severity === severity).length);
  }
});

/**
 * @example
 * api.background("open alerts gauge", publishOpenAlerts(15_000));
 */
export const publishOpenAlerts = (intervalMs: number) =>
  publishOnce.pipe(
    Effect.catchCause((cause) => Effect.logWarning("could not count open alerts", cause)),
    Effect.repeat(Schedule.spaced(intervalMs)),
    Effect.asVoid,
  );
