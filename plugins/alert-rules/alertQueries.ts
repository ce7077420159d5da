/**
 * Reading alerts from `rm_alerts`, always scoped by the caller's tenant: active ones,
 * the history, by device, rule and severity, newest first (by when they began), a page at a time.
 */
import { Effect, Option } from "effect";
import { NotFound, ReadModelStore } from "../../core/index.ts";
import { type AlertDocument, alertDocumentId, alertsCollection } from "./alertsProjection.ts";
import { decodeCursor, encodeCursor } from "./requestInput.ts";
import { type ListAlertsQuery, pageSizeOf } from "./requestSchemas.ts";

/** An alert as the API shows it. */
export const alertView = ({ streamVersion: _streamVersion, sortKey: _sortKey, ...doc }: AlertDocument) => doc;

const statusFilter = (status: ListAlertsQuery["status"]) => {
  switch (status ?? "active") {
    case "active":
      return { active: true };
    case "history":
    case "resolved":
      return { status: "resolved" };
    case "pending":
      return { status: "pending" };
    case "open":
      return { status: "open" };
    default:
      return {};
  }
};

/**
 * @example
 * const alert = yield* getAlert("acme", alertId); // NotFound when the tenant has no such alert
 */
export const getAlert = Effect.fn("alertRules.getAlert")(function* (tenantId: string, alertId: string) {
  const store = yield* ReadModelStore;
  const found = yield* store.get(alertsCollection, alertDocumentId(tenantId, alertId));
  if (Option.isNone(found)) return yield* new NotFound({ detail: `no alert ${alertId}` });
  return found.value as unknown as AlertDocument;
});

/**
 * @example
 * const { alerts, nextCursor } = yield* listAlerts("acme", { status: "active", severity: "critical" });
 */
export const listAlerts = Effect.fn("alertRules.listAlerts")(function* (tenantId: string, query: ListAlertsQuery) {
  const store = yield* ReadModelStore;
  const after = yield* decodeCursor(query.cursor);
  const limit = pageSizeOf(query.limit);
  const filter = {
    tenantId,
    ...statusFilter(query.status),
    ...(query.deviceId === undefined ? {} : { deviceId: query.deviceId }),
    ...(query.ruleId === undefined ? {} : { ruleId: query.ruleId }),
    ...(query.severity === undefined ? {} : { severity: query.severity }),
    ...(query.acknowledged === undefined ? {} : { acknowledged: query.acknowledged === "true" }),
    ...(after === undefined ? {} : { sortKey: { $lt: after } }),
  };
  const found = (yield* store.find(alertsCollection, filter, {
    sort: { sortKey: -1 },
    limit: limit + 1,
  })) as unknown as ReadonlyArray<AlertDocument>;
  const page = found.slice(0, limit);
  const last = page.at(-1);
  return {
    alerts: page.map(alertView),
    nextCursor: found.length > limit && last !== undefined ? encodeCursor(last.sortKey) : null,
  };
});
