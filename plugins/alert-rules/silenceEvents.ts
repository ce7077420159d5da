/**
 * Silences (family `alerts`, stream `silence-<tenantId>-<silenceId>`): for a time window,
 * alerts of one rule, of one device, or of one rule on one device are still evaluated
 * and recorded, but not notified. A silence ends by itself at `endsAt`; SilenceEnded
 * records one ended early (DELETE).
 */
import { Schema } from "effect";
import { defineEvent, type StreamId } from "../../core/index.ts";

/**
 * @example
 * silenceStreamId("acme", "s_1f2e") // "silence-acme-s_1f2e"
 */
export const silenceStreamId = (tenantId: string, silenceId: string): StreamId =>
  `silence-${tenantId}-${silenceId}` as StreamId;

/**
 * At least one of ruleId and deviceId is set; both narrows the silence to that pair.
 *
 * @example
 * SilenceCreated.make({ silenceId, ruleId: null, deviceId: "pump-1", startsAt, endsAt, comment: "", createdBy }, { tenantId })
 */
export const SilenceCreated = defineEvent({
  type: "SilenceCreated",
  family: "alerts",
  payload: Schema.Struct({
    silenceId: Schema.String,
    ruleId: Schema.NullOr(Schema.String),
    deviceId: Schema.NullOr(Schema.String),
    /** ISO 8601 UTC, inclusive. */
    startsAt: Schema.String,
    /** ISO 8601 UTC, exclusive. */
    endsAt: Schema.String,
    comment: Schema.String,
    createdBy: Schema.String,
  }),
});

/**
 * A silence ended before its planned end.
 *
 * @example
 * SilenceEnded.make({ silenceId, endedAt: new Date().toISOString(), endedBy: "key:3f2a…" }, { tenantId })
 */
export const SilenceEnded = defineEvent({
  type: "SilenceEnded",
  family: "alerts",
  payload: Schema.Struct({ silenceId: Schema.String, endedAt: Schema.String, endedBy: Schema.String }),
});

/** Every silence event, for `api.events(...)`. */
export const silenceEvents = [SilenceCreated, SilenceEnded] as const;
