/**
 * The alert-rules plugin (the Python system's `alert_evaluator`): rules as events over
 * the API, evaluation of every reading against the tenant's enabled rules with state per
 * (rule, device), the alert lifecycle as events with a query API, silences, a notifier
 * extension point, and backtests over stored readings. See README.md.
 */
import { Effect } from "effect";
import { definePlugin, type PluginApi, type PluginServices } from "../../core/index.ts";
import { TelemetryEnriched } from "../external-source/index.ts";
import { TelemetryRecorded } from "../ingest/index.ts";
import { AlertAcknowledged, AlertEscalated, AlertRaised, AlertResolved, alertEvents } from "./alertEvents.ts";
import { alertRoutes } from "./alertRoutes.ts";
import { readAlertRulesSettings } from "./alertRulesConfig.ts";
import { alertRulesOperations } from "./alertRulesOperations.ts";
import { alertsProjection } from "./alertsProjection.ts";
import { runAlertTicker } from "./alertTicker.ts";
import { backtestRoutes } from "./backtestRoutes.ts";
import { conditionTypeExtensionPoint, makeConditionTypes } from "./conditionTypes.ts";
import { notificationEvents } from "./notificationEvents.ts";
import { fanOutNotification, type NotifiableAlertEvent } from "./notificationFanOut.ts";
import { notifierExtensionPoint } from "./notifierContract.ts";
import { publishOpenAlerts } from "./openAlertsGauge.ts";
import { evaluateReadings } from "./readingEvaluation.ts";
import { RuleDeleted, RuleDisabled, RuleUpdated, ruleEvents } from "./ruleEvents.ts";
import { closeAlertsOfRule } from "./ruleLifecycle.ts";
import { makeRuleLookup } from "./ruleLookup.ts";
import { ruleRoutes } from "./ruleRoutes.ts";
import { rulesProjection } from "./rulesProjection.ts";
import { silenceEvents } from "./silenceEvents.ts";
import { silencesProjection } from "./silencesProjection.ts";
import { type ReadingDecoder, readingOf } from "./telemetryInputs.ts";

export {
  AlertAcknowledged,
  AlertEscalated,
  AlertPending,
  AlertRaised,
  AlertResolved,
  alertStreamId,
  Severity,
} from "./alertEvents.ts";
export { type AlertDocument, alertsCollection, alertsProjection } from "./alertsProjection.ts";
export { runAlertTicker, type TickerOptions, tickAlertRules } from "./alertTicker.ts";
export { type ConditionTypes, conditionTypeExtensionPoint, makeConditionTypes } from "./conditionTypes.ts";
export { defineCondition } from "./engineApi.ts";
export { deliverNotification, registerNotifier } from "./notificationDelivery.ts";
export {
  AlertNotification,
  NotificationDelivered,
  NotificationFailed,
  NotificationRequested,
  NotificationSuppressed,
} from "./notificationEvents.ts";
export {
  type DeliveryAttempt,
  DeliveryFailed,
  type DeliveryReceipt,
  type NotificationTarget,
  type Notifier,
  notifierExtensionPoint,
} from "./notifierContract.ts";
export { RuleCreated, RuleDeleted, RuleDisabled, RuleEnabled, RuleUpdated, ruleStreamId } from "./ruleEvents.ts";
export { type RuleDocument, rulesCollection, rulesProjection } from "./rulesProjection.ts";
export { SilenceCreated, SilenceEnded } from "./silenceEvents.ts";

/** A plugin API that can run background work (proposed for core: see README.md, "Timers"). */
interface BackgroundCapableApi extends PluginApi {
  background(name: string, effect: Effect.Effect<void, never, PluginServices>): void;
}

const canRunBackground = (api: PluginApi): api is BackgroundCapableApi =>
  typeof (api as Partial<BackgroundCapableApi>).background === "function";

/**
 * Until the kernel offers `api.background`, the ticker starts in the first handler call of
 * a process (handlers run only in worker processes), with the services that call has.
 */
const startOnFirstCall = (ticker: Effect.Effect<void, never, PluginServices>) => {
  let started = false;
  return Effect.gen(function* () {
    if (started) return;
    started = true;
    const services = yield* Effect.context<PluginServices>();
    yield* Effect.forkDetach(ticker.pipe(Effect.provideContext(services)));
  });
};

const decodeRecorded: ReadingDecoder = (envelope) =>
  TelemetryRecorded.is(envelope)
    ? TelemetryRecorded.decode(envelope).pipe(
        Effect.map((event) => readingOf(event, "recorded")),
        Effect.orElseSucceed(() => undefined),
      )
    : Effect.succeed(undefined);

const decodeEnriched: ReadingDecoder = (envelope) =>
  TelemetryEnriched.is(envelope)
    ? TelemetryEnriched.decode(envelope).pipe(
        Effect.map((event) => readingOf(event, "enriched")),
        Effect.orElseSucceed(() => undefined),
      )
    : Effect.succeed(undefined);

/**
 * @example
 * const loaded = yield* loadPlugins([ingestPlugin, devicesPlugin, alertRulesPlugin, webhookNotifierPlugin]);
 */
export const alertRulesPlugin = definePlugin({
  id: "alert-rules",
  dependsOn: ["ingest", "devices"],
  register(api) {
    const settings = readAlertRulesSettings();
    const notifiers = api.extensionPoint(notifierExtensionPoint);
    const types = makeConditionTypes(api.extensionPoint(conditionTypeExtensionPoint));
    const lookup = makeRuleLookup({ ttlMs: settings.ruleCacheTtlMs }, types);
    const ticker = runAlertTicker(types, settings.ticker);
    const ensureTicker = canRunBackground(api) ? Effect.void : startOnFirstCall(ticker);
    if (canRunBackground(api)) {
      api.background("alert-rules ticker", ticker);
      api.background("open alerts gauge", publishOpenAlerts(10_000));
    }

    api.events(...ruleEvents, ...alertEvents, ...silenceEvents, ...notificationEvents);
    api.projection(rulesProjection);
    api.projection(alertsProjection);
    api.projection(silencesProjection);

    // Runs: a device's consecutive readings in a consumer batch share one state load and commit per rule.
    api.onRun(TelemetryRecorded, (events) =>
      ensureTicker.pipe(
        Effect.andThen(
          evaluateReadings(
            events.map((event) => readingOf(event, "recorded")),
            { lookup, types, decode: decodeRecorded },
          ),
        ),
      ),
    );
    // Rules reading enrichment values: evaluated on the enriched copy of each reading.
    api.onRun(TelemetryEnriched, (events) =>
      ensureTicker.pipe(
        Effect.andThen(
          evaluateReadings(
            events.map((event) => readingOf(event, "enriched")),
            { lookup, types, decode: decodeEnriched },
          ),
        ),
      ),
    );
    api.on(RuleUpdated, (event) =>
      ensureTicker.pipe(Effect.andThen(closeAlertsOfRule(event, event.payload.rule.ruleId))),
    );
    api.on(RuleDisabled, (event) => ensureTicker.pipe(Effect.andThen(closeAlertsOfRule(event, event.payload.ruleId))));
    api.on(RuleDeleted, (event) => ensureTicker.pipe(Effect.andThen(closeAlertsOfRule(event, event.payload.ruleId))));
    for (const definition of [AlertRaised, AlertEscalated, AlertAcknowledged, AlertResolved]) {
      api.on(definition, (event) => fanOutNotification(event as unknown as NotifiableAlertEvent, notifiers));
    }

    api.routes((context) => backtestRoutes(context, types));
    api.routes((context) => ruleRoutes(context, types));
    api.routes((context) => alertRoutes(context));
    api.openapi(...alertRulesOperations);
  },
});
