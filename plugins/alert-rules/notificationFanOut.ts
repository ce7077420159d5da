/**
 * Decides who hears of an alert event: AlertRaised, AlertEscalated, AlertAcknowledged and
 * AlertResolved (not AlertPending, nor the end of an alert that never rose) are checked
 * against the tenant's silences; a silenced one is recorded as
 * NotificationSuppressed, otherwise every contributed notifier is asked for the tenant's
 * targets and one NotificationRequested per target is recorded. Ids derive from the alert
 * event, so a redelivery requests nothing twice.
 */

import { Clock, Effect, Option, Stream } from "effect";
import {
  type EventEnvelope,
  EventStore,
  EventWriter,
  type ExtensionContributions,
  type PendingEvent,
  ReadModelStore,
  type StreamAppend,
  type TenantId,
} from "../../core/index.ts";
import { type AlertValue, alertStreamId, type Severity } from "./alertEvents.ts";
import { type AlertDocument, alertDocumentId, alertsCollection } from "./alertsProjection.ts";
import { causeDerivedId } from "./causeDerivedId.ts";
import {
  type AlertNotification,
  NotificationRequested,
  NotificationSuppressed,
  notificationStreamId,
} from "./notificationEvents.ts";
import type { Notifier } from "./notifierContract.ts";
import { type SilenceDocument, silenceCovers, silencesCollection } from "./silencesProjection.ts";

/** The alert events a notification can be about, decoded. */
export interface NotifiableAlertEvent extends Omit<EventEnvelope, "payload" | "type"> {
  readonly type: AlertNotification["eventType"];
  readonly payload: {
    readonly alertId: string;
    readonly ruleId: string;
    readonly deviceId: string;
    readonly at: string;
    readonly severity?: Severity;
    readonly to?: Severity;
    readonly value?: AlertValue;
    readonly peak?: AlertValue;
    readonly ruleName?: string;
    readonly reason?: string;
    readonly by?: string;
  };
}

/**
 * The episode's name and severity: from the event when it carries both (AlertRaised,
 * and AlertEscalated and AlertResolved since they carry the name),
 * else from `rm_alerts`, else from the alert stream itself (the read model lags under
 * load; reading the stream is a scan of `events` on FerretDB).
 */
const episodeFacts = (event: NotifiableAlertEvent) =>
  Effect.gen(function* () {
    const { alertId, ruleId, deviceId, ruleName } = event.payload;
    const severity = event.payload.to ?? event.payload.severity;
    if (ruleName !== undefined && severity !== undefined) return { ruleName, severity };
    const store = yield* ReadModelStore;
    const doc = yield* store.get(alertsCollection, alertDocumentId(event.tenantId, alertId));
    if (Option.isSome(doc)) {
      const alert = doc.value as unknown as AlertDocument;
      if (alert.streamVersion >= event.streamVersion - 1) return { ruleName: alert.ruleName, severity: alert.severity };
    }
    const events = yield* EventStore;
    const history = yield* Stream.runCollect(
      events
        .readStream(alertStreamId(event.tenantId, ruleId, deviceId))
        // Up to the event itself, without asking the store for what follows it.
        .pipe(Stream.takeUntil((e) => e.streamVersion >= event.streamVersion)),
    );
    let facts = { ruleName: event.payload.ruleName ?? ruleId, severity: event.payload.severity ?? "info" };
    for (const past of history) {
      const payload = past.payload as NotifiableAlertEvent["payload"];
      if (payload.alertId !== alertId) continue;
      if (payload.ruleName !== undefined) facts = { ...facts, ruleName: payload.ruleName };
      if (payload.severity !== undefined) facts = { ...facts, severity: payload.severity };
      if (payload.to !== undefined) facts = { ...facts, severity: payload.to };
    }
    return facts;
  });

const summaryOf = (n: Omit<AlertNotification, "summary">): string => {
  const subject = `${n.ruleName} on ${n.deviceId}`;
  switch (n.eventType) {
    case "AlertRaised":
      return `${n.severity.toUpperCase()}: ${subject} raised (value ${String(n.value)})`;
    case "AlertEscalated":
      return `${n.severity.toUpperCase()}: ${subject} escalated (value ${String(n.value)})`;
    case "AlertAcknowledged":
      return `${subject} acknowledged`;
    case "AlertResolved":
      return `${subject} resolved`;
  }
};

/**
 * The notification for an alert event.
 *
 * @example
 * const notification = yield* notificationOf(event);
 */
export const notificationOf = Effect.fn("alertRules.notificationOf")(function* (event: NotifiableAlertEvent) {
  const facts = yield* episodeFacts(event);
  const { payload } = event;
  const base = {
    eventId: event.id,
    eventType: event.type,
    tenantId: event.tenantId,
    alertId: payload.alertId,
    ruleId: payload.ruleId,
    ruleName: facts.ruleName,
    deviceId: payload.deviceId,
    severity: (payload.to ?? payload.severity ?? facts.severity) as Severity,
    at: payload.at,
    value: payload.value ?? payload.peak ?? null,
  };
  return { ...base, summary: summaryOf(base) } satisfies AlertNotification as AlertNotification;
});

// A silence covers an event when the event's own time or the moment it is being notified
// falls in its window: a reading stamped a little before the silence began is still
// silenced now, and a backlog processed after the window still honours it.
const activeSilence = (event: NotifiableAlertEvent) =>
  Effect.gen(function* () {
    const store = yield* ReadModelStore;
    const { ruleId, deviceId, at } = event.payload;
    const now = new Date(yield* Clock.currentTimeMillis).toISOString();
    const silences = (yield* store.find(silencesCollection, {
      tenantId: event.tenantId,
      endsAt: { $gt: [at, now].sort()[0] ?? now },
    })) as unknown as ReadonlyArray<SilenceDocument>;
    return silences.find(
      (silence) => silenceCovers(silence, ruleId, deviceId, at) || silenceCovers(silence, ruleId, deviceId, now),
    );
  });

/**
 * The handler of the notifiable alert events.
 *
 * @example
 * api.on(AlertRaised, (event) => fanOutNotification(event, notifiers));
 */
export const fanOutNotification = Effect.fn("alertRules.fanOutNotification")(function* (
  event: NotifiableAlertEvent,
  notifiers: ExtensionContributions<Notifier>,
) {
  if (event.type === "AlertResolved" && event.payload.reason === "pendingCancelled") return;
  const tenantId = event.tenantId as TenantId;
  const writer = yield* EventWriter;
  const silence = yield* activeSilence(event);
  if (silence !== undefined) {
    const suppressed = NotificationSuppressed.make(
      { alertEventId: event.id, alertId: event.payload.alertId, silenceId: silence.silenceId },
      { tenantId, causedBy: event as EventEnvelope, id: causeDerivedId(event as EventEnvelope, "suppressed") },
    );
    yield* writer.append(notificationStreamId(event.tenantId, suppressed.id), "any", [suppressed]);
    return;
  }
  const contributed = notifiers.all();
  if (contributed.length === 0) return;
  const notification = yield* notificationOf(event);
  const appends: Array<StreamAppend> = [];
  for (const { value: notifier } of contributed) {
    const targets = yield* notifier.targetsFor(notification);
    for (const { targetId } of targets) {
      const request: PendingEvent = NotificationRequested.make(
        { notifierId: notifier.id, targetId, notification },
        {
          tenantId,
          causedBy: event as EventEnvelope,
          id: causeDerivedId(event as EventEnvelope, `${notifier.id}/${targetId}`),
        },
      );
      appends.push({
        streamId: notificationStreamId(event.tenantId, request.id),
        expectedVersion: "any",
        events: [request],
      });
    }
  }
  if (appends.length > 0) yield* writer.appendBatch(appends);
});
