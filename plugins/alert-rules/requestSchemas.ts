/**
 * The Schemas the alert-rules routes decode path, query and body with (and that document
 * them in /openapi.json). Rule bodies are decoded twice: here as a JSON object, then with
 * the engine's rule schema once the server-owned fields are filled in.
 */
import { Schema } from "effect";
import { Severity } from "./alertEvents.ts";
import { RuleId } from "./ruleEvents.ts";

const Digits = Schema.String.check(Schema.isPattern(/^[1-9][0-9]{0,3}$/, { message: "a whole number from 1" }));
const TrueOrFalse = Schema.Literals(["true", "false"]);
const Cursor = Schema.String.check(Schema.isMaxLength(500));
const DeviceIdText = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9._:-]{1,100}$/, {
    message: "device ids are 1 to 100 characters of A-Z a-z 0-9 . _ : -",
  }),
);
const Instant = Schema.String.check(
  Schema.isPattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/, {
    message: "an ISO 8601 date-time with a zone, e.g. 2025-03-01T10:00:00Z",
  }),
);

/** Routes that take no query parameters. */
export const NoQuery = Schema.Struct({});

/** /v1/rules/{ruleId}. */
export const RulePath = Schema.Struct({ ruleId: RuleId });

/** GET /v1/rules. */
export const ListRulesQuery = Schema.Struct({
  enabled: Schema.optionalKey(TrueOrFalse),
  limit: Schema.optionalKey(Digits),
  cursor: Schema.optionalKey(Cursor),
});

/** A rule body: a JSON object, checked field by field by the engine's rule schema afterwards. */
export const RuleBodyObject = Schema.Record(Schema.String, Schema.Unknown);

/** Fields of the engine's rule that the server sets. */
export const serverOwnedRuleFields = ["tenantId", "version"] as const;

/** /v1/alerts/{alertId}. */
export const AlertPath = Schema.Struct({ alertId: Schema.String.check(Schema.isMaxLength(64)) });

/** GET /v1/alerts. */
export const ListAlertsQuery = Schema.Struct({
  /** active = pending or open (the default); history = resolved; all. */
  status: Schema.optionalKey(Schema.Literals(["active", "pending", "open", "resolved", "history", "all"])),
  deviceId: Schema.optionalKey(DeviceIdText),
  ruleId: Schema.optionalKey(RuleId),
  severity: Schema.optionalKey(Severity),
  acknowledged: Schema.optionalKey(TrueOrFalse),
  limit: Schema.optionalKey(Digits),
  cursor: Schema.optionalKey(Cursor),
});
export type ListAlertsQuery = typeof ListAlertsQuery.Type;

/** POST /v1/alerts/{alertId}/acknowledge. */
export const AcknowledgeBody = Schema.Struct({
  /** A display name to record beside the key id. */
  by: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200))),
  comment: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(2_000))),
});

/** /v1/silences/{silenceId}. */
export const SilencePath = Schema.Struct({ silenceId: Schema.String.check(Schema.isMaxLength(64)) });

/** POST /v1/silences. */
export const CreateSilenceBody = Schema.Struct({
  ruleId: Schema.optionalKey(RuleId),
  deviceId: Schema.optionalKey(DeviceIdText),
  /** Default: now. */
  startsAt: Schema.optionalKey(Instant),
  /** Give endsAt or durationSeconds. */
  endsAt: Schema.optionalKey(Instant),
  durationSeconds: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 31_536_000 }))),
  comment: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(2_000))),
});
export type CreateSilenceBody = typeof CreateSilenceBody.Type;

/** GET /v1/silences. */
export const ListSilencesQuery = Schema.Struct({ active: Schema.optionalKey(TrueOrFalse) });

/** POST /v1/rules/backtest. */
export const BacktestBody = Schema.Struct({
  /** A new rule or a changed one (ruleId optional); decoded with the engine's rule schema. */
  rule: RuleBodyObject,
  from: Instant,
  to: Instant,
  /** Default: every device the rule's scope covers. */
  devices: Schema.optionalKey(Schema.Array(DeviceIdText).check(Schema.isMaxLength(1_000))),
});
export type BacktestBody = typeof BacktestBody.Type;

/**
 * The page size of a list query (default 50, at most 500).
 *
 * @example
 * pageSizeOf(query.limit) // 50
 */
export const pageSizeOf = (limit: string | undefined): number => Math.min(500, Number(limit ?? "50"));
