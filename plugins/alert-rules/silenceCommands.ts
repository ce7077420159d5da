/**
 * Creating and ending silences (tenant key). A silence names a rule, a device, or both;
 * it starts now unless told otherwise and ends at `endsAt` (or after `durationSeconds`).
 */
import { Effect, Option } from "effect";
import { Conflict, NotFound, ReadModelStore, type TenantId, ValidationFailed } from "../../core/index.ts";
import { recordEvents } from "./recordEvents.ts";
import type { CreateSilenceBody } from "./requestSchemas.ts";
import { SilenceCreated, SilenceEnded, silenceStreamId } from "./silenceEvents.ts";
import {
  type SilenceDocument,
  silenceDocumentId,
  silencesCollection,
  silencesProjection,
} from "./silencesProjection.ts";

const invalid = (field: string, reason: string) =>
  new ValidationFailed({ detail: "the silence is invalid", errors: [{ field, reason }] });

/**
 * @example
 * const silence = yield* createSilence("acme", "3f2a…", { ruleId: "hot-pumps", durationSeconds: 3600 });
 */
export const createSilence = Effect.fn("alertRules.createSilence")(function* (
  tenantId: string,
  keyId: string,
  body: CreateSilenceBody,
) {
  if (body.ruleId === undefined && body.deviceId === undefined) {
    return yield* invalid("ruleId", "give ruleId, deviceId or both");
  }
  const startsAtMs = body.startsAt === undefined ? Date.now() : Date.parse(body.startsAt);
  if ((body.endsAt === undefined) === (body.durationSeconds === undefined)) {
    return yield* invalid("endsAt", "give endsAt or durationSeconds (one of them)");
  }
  const endsAtMs =
    body.endsAt === undefined ? startsAtMs + (body.durationSeconds ?? 0) * 1000 : Date.parse(body.endsAt);
  if (endsAtMs <= startsAtMs) return yield* invalid("endsAt", "must be after startsAt");
  const silenceId = `s_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const payload = {
    silenceId,
    ruleId: body.ruleId ?? null,
    deviceId: body.deviceId ?? null,
    startsAt: new Date(startsAtMs).toISOString(),
    endsAt: new Date(endsAtMs).toISOString(),
    comment: body.comment ?? "",
    createdBy: `key:${keyId}`,
  };
  yield* recordEvents(
    silenceStreamId(tenantId, silenceId),
    0,
    [SilenceCreated.make(payload, { tenantId: tenantId as TenantId })],
    [silencesProjection],
  );
  return { tenantId, ...payload, endedEarly: false };
});

/**
 * Ends a silence now (409 when it has ended already).
 *
 * @example
 * yield* endSilence("acme", "3f2a…", "s_1f2e");
 */
export const endSilence = Effect.fn("alertRules.endSilence")(function* (
  tenantId: string,
  keyId: string,
  silenceId: string,
) {
  const store = yield* ReadModelStore;
  const found = yield* store.get(silencesCollection, silenceDocumentId(tenantId, silenceId));
  if (Option.isNone(found)) return yield* new NotFound({ detail: `no silence ${silenceId}` });
  const silence = found.value as unknown as SilenceDocument;
  const now = new Date().toISOString();
  if (silence.endsAt <= now) return yield* new Conflict({ detail: `silence ${silenceId} has ended` });
  yield* recordEvents(
    silenceStreamId(tenantId, silenceId),
    "any",
    [SilenceEnded.make({ silenceId, endedAt: now, endedBy: `key:${keyId}` }, { tenantId: tenantId as TenantId })],
    [silencesProjection],
  );
});

/**
 * The tenant's silences, newest end first; `active` keeps those silencing now.
 *
 * @example
 * const { silences } = yield* listSilences("acme", true);
 */
export const listSilences = Effect.fn("alertRules.listSilences")(function* (tenantId: string, active: boolean) {
  const store = yield* ReadModelStore;
  const now = new Date().toISOString();
  const found = (yield* store.find(
    silencesCollection,
    { tenantId, ...(active ? { endsAt: { $gt: now } } : {}) },
    { sort: { endsAt: -1 }, limit: 500 },
  )) as unknown as ReadonlyArray<SilenceDocument & { _id: string }>;
  const silences = found.filter((silence) => !active || silence.startsAt <= now).map(({ _id, ...silence }) => silence);
  return { silences };
});
