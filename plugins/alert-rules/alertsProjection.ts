/**
 * `alerts` (collection `rm_alerts`): one document per alert episode, `_id` =
 * `<tenantId>|<alertId>`. `sortKey` (`<opened at, device time ISO>|<alertId>`) orders
 * episodes by when they began, ties broken by id: GET /v1/alerts lists newest first and
 * pages with it.
 */
import { defineProjection } from "../../core/index.ts";
import {
  AlertAcknowledged,
  AlertEscalated,
  AlertPending,
  AlertRaised,
  AlertResolved,
  type AlertValue,
} from "./alertEvents.ts";

export type AlertStatus = "pending" | "open" | "resolved";

/** An alert episode as `rm_alerts` stores it (without `_id`). */
export interface AlertDocument extends Record<string, unknown> {
  readonly tenantId: string;
  readonly alertId: string;
  readonly ruleId: string;
  readonly ruleName: string;
  readonly ruleVersion: number;
  readonly deviceId: string;
  /** Current severity (after escalations). */
  readonly severity: string;
  readonly status: AlertStatus;
  /** pending or open: what "active" lists. */
  readonly active: boolean;
  readonly pendingAt: string | null;
  readonly raisedAt: string | null;
  readonly resolvedAt: string | null;
  readonly resolveReason: string | null;
  /** The value that raised (or made pending) the alert. */
  readonly value: AlertValue;
  /** The worst value while open, and when (known once resolved). */
  readonly peak: AlertValue;
  readonly peakAt: string | null;
  readonly escalations: ReadonlyArray<{ readonly from: string; readonly to: string; readonly at: string }>;
  readonly acknowledged: boolean;
  readonly acknowledgedBy: string | null;
  readonly acknowledgedAt: string | null;
  readonly acknowledgeComment: string | null;
  /** The alert stream's version after this episode's last event. */
  readonly streamVersion: number;
  /** `<opened at ISO>|<alertId>`: the list order. */
  readonly sortKey: string;
}

/** The collection (other plugins may read it; only this plugin writes it). */
export const alertsCollection = "rm_alerts";

/**
 * @example
 * alertDocumentId("acme", "0193…") // "acme|0193…"
 */
export const alertDocumentId = (tenantId: string, alertId: string): string => `${tenantId}|${alertId}`;

const opened = (
  payload: { alertId: string; ruleId: string; deviceId: string; ruleName: string; ruleVersion: number },
  tenantId: string,
  severity: string,
  value: AlertValue,
  streamVersion: number,
  openedAt: string,
): AlertDocument => ({
  tenantId,
  alertId: payload.alertId,
  ruleId: payload.ruleId,
  ruleName: payload.ruleName,
  ruleVersion: payload.ruleVersion,
  deviceId: payload.deviceId,
  severity,
  status: "pending",
  active: true,
  pendingAt: null,
  raisedAt: null,
  resolvedAt: null,
  resolveReason: null,
  value,
  peak: null,
  peakAt: null,
  escalations: [],
  acknowledged: false,
  acknowledgedBy: null,
  acknowledgedAt: null,
  acknowledgeComment: null,
  streamVersion,
  sortKey: `${openedAt}|${payload.alertId}`,
});

/**
 * @example
 * api.projection(alertsProjection);
 */
export const alertsProjection = defineProjection({
  name: "alerts",
  version: 1,
  events: [AlertPending, AlertRaised, AlertEscalated, AlertAcknowledged, AlertResolved],
  key: (event) => alertDocumentId(event.tenantId, event.payload.alertId),
  // An episode's id is the id of the event that opened it: the stream's earlier versions
  // are other episodes, so a new episode reads none of them.
  startsDocument: (event) => event.payload.alertId === event.id,
  apply: (doc: AlertDocument | undefined, event): AlertDocument | undefined => {
    const streamVersion = event.streamVersion;
    switch (event.type) {
      case "AlertPending": {
        const { payload } = event;
        return {
          ...opened(payload, event.tenantId, payload.severity, payload.value, streamVersion, payload.at),
          pendingAt: payload.at,
        };
      }
      case "AlertRaised": {
        const { payload } = event;
        const base = doc ?? opened(payload, event.tenantId, payload.severity, payload.value, streamVersion, payload.at);
        return {
          ...base,
          status: "open",
          active: true,
          raisedAt: payload.at,
          severity: payload.severity,
          streamVersion,
        };
      }
      case "AlertEscalated": {
        const { from, to, at } = event.payload;
        return doc && { ...doc, severity: to, escalations: [...doc.escalations, { from, to, at }], streamVersion };
      }
      case "AlertAcknowledged": {
        const { by, at, comment } = event.payload;
        return (
          doc && {
            ...doc,
            acknowledged: true,
            acknowledgedBy: by,
            acknowledgedAt: at,
            acknowledgeComment: comment ?? null,
            streamVersion,
          }
        );
      }
      case "AlertResolved": {
        const { at, peak, peakAt, reason } = event.payload;
        return (
          doc && {
            ...doc,
            status: "resolved",
            active: false,
            resolvedAt: at,
            resolveReason: reason,
            peak,
            peakAt,
            streamVersion,
          }
        );
      }
    }
  },
  indexes: [
    { keys: { tenantId: 1, active: 1, sortKey: -1 } },
    { keys: { tenantId: 1, deviceId: 1, sortKey: -1 } },
    { keys: { tenantId: 1, ruleId: 1, sortKey: -1 } },
  ],
});
