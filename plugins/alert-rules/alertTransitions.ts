/**
 * Turns the engine's transitions for one (rule, device) into alert lifecycle events,
 * keeping track of the episode: the first AlertPending or AlertRaised of an episode gives
 * it its id (that event's id), AlertResolved closes it. Event ids come from the caller,
 * derived from the cause, so the same decision always yields the same events.
 */
import type { EventEnvelope, EventId, PendingEvent, TenantId } from "../../core/index.ts";
import {
  AlertEscalated,
  AlertPending,
  AlertRaised,
  AlertResolved,
  alertValueOf,
  type ResolveReason,
} from "./alertEvents.ts";
import type { AlertTransition } from "./engineApi.ts";
import type { Episode } from "./evaluationState.ts";

/** Who the events are about, and where their ids and causes come from. */
export interface TransitionContext {
  readonly tenantId: string;
  readonly ruleId: string;
  readonly ruleName: string;
  readonly ruleVersion: number;
  readonly deviceId: string;
  /** The id of the n-th event decided for this input (n counts from 0). */
  readonly eventIdAt: (index: number) => EventId;
  readonly causedBy: EventEnvelope | undefined;
}

export interface AlertDecision {
  readonly events: ReadonlyArray<PendingEvent>;
  readonly episode: Episode | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The rule name and the episode's severity an AlertResolved carries (a state kept before severities were: none). */
const episodeNaming = (episode: Episode, context: TransitionContext) => ({
  ruleName: context.ruleName,
  ...(episode.severity === undefined ? {} : { severity: episode.severity }),
});

const metaOf = (context: TransitionContext, index: number, at: number) => ({
  tenantId: context.tenantId as TenantId,
  id: context.eventIdAt(index),
  causedBy: context.causedBy,
  occurredAt: iso(at),
});

/**
 * The events for `transitions`, given the episode before them.
 *
 * @example
 * const { events, episode } = alertEventsFor(result.transitions, snapshot.episode, context);
 */
export const alertEventsFor = (
  transitions: ReadonlyArray<AlertTransition>,
  episodeBefore: Episode | null,
  context: TransitionContext,
  firstIndex = 0,
): AlertDecision => {
  const events: Array<PendingEvent> = [];
  let episode = episodeBefore;
  const { ruleId, deviceId, ruleName, ruleVersion } = context;
  for (const transition of transitions) {
    const index = firstIndex + events.length;
    const meta = metaOf(context, index, transition.at);
    switch (transition.type) {
      case "AlertPending": {
        if (episode !== null) break;
        const alertId = meta.id;
        episode = { alertId, stage: "pending", openedAt: transition.at, severity: transition.severity };
        const payload = { alertId, ruleId, deviceId, ruleName, ruleVersion, severity: transition.severity };
        events.push(
          AlertPending.make({ ...payload, at: iso(transition.at), value: alertValueOf(transition.value) }, meta),
        );
        break;
      }
      case "AlertPendingCancelled": {
        if (episode?.stage !== "pending") break;
        events.push(closeEpisode(episode, "pendingCancelled", transition.at, context, index, transition.value));
        episode = null;
        break;
      }
      case "AlertRaised": {
        if (episode?.stage === "open") break;
        const alertId = episode?.alertId ?? meta.id;
        episode = {
          alertId,
          stage: "open",
          openedAt: episode?.openedAt ?? transition.at,
          severity: transition.severity,
        };
        const payload = { alertId, ruleId, deviceId, ruleName, ruleVersion, severity: transition.severity };
        events.push(
          AlertRaised.make(
            {
              ...payload,
              at: iso(transition.at),
              value: alertValueOf(transition.value),
              causeEventId: transition.causeEventId,
            },
            meta,
          ),
        );
        break;
      }
      case "AlertEscalated": {
        if (episode === null) break;
        const { from, to, at, value } = transition;
        const payload = { alertId: episode.alertId, ruleId, deviceId, ruleName, from, to };
        events.push(AlertEscalated.make({ ...payload, at: iso(at), value: alertValueOf(value) }, meta));
        episode = { ...episode, severity: to };
        break;
      }
      case "AlertResolved": {
        if (episode === null) break;
        const { at, peak, peakAt, durationMs } = transition;
        const payload = { alertId: episode.alertId, ruleId, deviceId, peak: alertValueOf(peak), peakAt: iso(peakAt) };
        events.push(
          AlertResolved.make(
            { ...payload, ...episodeNaming(episode, context), at: iso(at), durationMs, reason: "cleared" },
            meta,
          ),
        );
        episode = null;
        break;
      }
    }
  }
  return { events, episode };
};

/**
 * An AlertResolved that ends the episode for a reason outside the engine (the rule
 * changed, was disabled or deleted; a pending condition stopped holding).
 *
 * @example
 * closeEpisode(snapshot.episode, "ruleDisabled", Date.now(), context, 0)
 */
export const closeEpisode = (
  episode: Episode,
  reason: ResolveReason,
  at: number,
  context: TransitionContext,
  index: number,
  value: unknown = null,
): PendingEvent =>
  AlertResolved.make(
    {
      alertId: episode.alertId,
      ruleId: context.ruleId,
      deviceId: context.deviceId,
      at: iso(at),
      peak: alertValueOf(value),
      peakAt: iso(at),
      durationMs: Math.max(0, at - episode.openedAt),
      reason,
      ...episodeNaming(episode, context),
    },
    metaOf(context, index, at),
  );
