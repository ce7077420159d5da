/**
 * Acknowledging an alert: someone has taken it. Only an active, unacknowledged episode can
 * be acknowledged (409 otherwise); the event goes to the episode's alert stream, appended
 * after the latest event the read model saw, so an ack never lands on an episode that
 * the evaluator resolved meanwhile without the caller being told (409, retry).
 */
import { Effect } from "effect";
import { Conflict, type TenantId } from "../../core/index.ts";
import { AlertAcknowledged, alertStreamId } from "./alertEvents.ts";
import { alertView, getAlert } from "./alertQueries.ts";
import { alertsProjection } from "./alertsProjection.ts";
import { recordEvents } from "./recordEvents.ts";

/**
 * @example
 * const alert = yield* acknowledgeAlert("acme", alertId, { keyId: "3f2a…", by: "Ana", comment: "on it" });
 */
export const acknowledgeAlert = Effect.fn("alertRules.acknowledgeAlert")(function* (
  tenantId: string,
  alertId: string,
  who: { readonly keyId: string; readonly by?: string | undefined; readonly comment?: string | undefined },
) {
  const alert = yield* getAlert(tenantId, alertId);
  if (!alert.active) return yield* new Conflict({ detail: `alert ${alertId} is resolved` });
  if (alert.acknowledged) return yield* new Conflict({ detail: `alert ${alertId} is already acknowledged` });
  const by = who.by === undefined ? `key:${who.keyId}` : `${who.by} (key:${who.keyId})`;
  const event = AlertAcknowledged.make(
    {
      alertId,
      ruleId: alert.ruleId,
      deviceId: alert.deviceId,
      by,
      at: new Date().toISOString(),
      ...(who.comment === undefined ? {} : { comment: who.comment }),
    },
    { tenantId: tenantId as TenantId },
  );
  const streamId = alertStreamId(tenantId, alert.ruleId, alert.deviceId);
  yield* recordEvents(streamId, alert.streamVersion, [event], [alertsProjection]).pipe(
    Effect.catchTag("ConcurrencyError", () =>
      Effect.fail(new Conflict({ detail: `alert ${alertId} changed meanwhile: read it again` })),
    ),
  );
  return alertView(yield* getAlert(tenantId, alertId));
});
