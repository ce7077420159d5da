/**
 * `alert_silences` (collection `rm_alert_silences`): one document per silence, `_id` =
 * `<tenantId>|<silenceId>`. Times are ISO 8601 UTC as `toISOString` writes them, so they
 * compare as strings.
 */
import { defineProjection } from "../../core/index.ts";
import { SilenceCreated, SilenceEnded } from "./silenceEvents.ts";

/** A silence as `rm_alert_silences` stores it (without `_id`). */
export interface SilenceDocument extends Record<string, unknown> {
  readonly tenantId: string;
  readonly silenceId: string;
  readonly ruleId: string | null;
  readonly deviceId: string | null;
  readonly startsAt: string;
  /** When it stops silencing: its planned end, or when it was ended early. */
  readonly endsAt: string;
  readonly endedEarly: boolean;
  readonly comment: string;
  readonly createdBy: string;
}

/** The collection (other plugins may read it; only this plugin writes it). */
export const silencesCollection = "rm_alert_silences";

/**
 * @example
 * silenceDocumentId("acme", "s_1f2e") // "acme|s_1f2e"
 */
export const silenceDocumentId = (tenantId: string, silenceId: string): string => `${tenantId}|${silenceId}`;

/**
 * Whether a silence covers an alert of (ruleId, deviceId) at `at` (ISO).
 *
 * @example
 * silences.find((s) => silenceCovers(s, "hot-pumps", "pump-1", event.payload.at))
 */
export const silenceCovers = (
  silence: Pick<SilenceDocument, "ruleId" | "deviceId" | "startsAt" | "endsAt">,
  ruleId: string,
  deviceId: string,
  at: string,
): boolean =>
  (silence.ruleId === null || silence.ruleId === ruleId) &&
  (silence.deviceId === null || silence.deviceId === deviceId) &&
  silence.startsAt <= at &&
  at < silence.endsAt;

/**
 * @example
 * api.projection(silencesProjection);
 */
export const silencesProjection = defineProjection({
  name: "alert_silences",
  version: 1,
  events: [SilenceCreated, SilenceEnded],
  key: (event) => silenceDocumentId(event.tenantId, event.payload.silenceId),
  apply: (doc: SilenceDocument | undefined, event): SilenceDocument | undefined => {
    switch (event.type) {
      case "SilenceCreated":
        return { tenantId: event.tenantId, ...event.payload, endedEarly: false };
      case "SilenceEnded": {
        if (doc === undefined || event.payload.endedAt >= doc.endsAt) return doc;
        return { ...doc, endsAt: event.payload.endedAt, endedEarly: true };
      }
    }
  },
  indexes: [{ keys: { tenantId: 1, endsAt: 1 } }],
});
