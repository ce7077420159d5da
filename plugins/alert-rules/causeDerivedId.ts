/**
 * Ids of events a handler appends because of another event: derived from the cause's id
 * and a key, so handling the cause again yields the same ids and the store keeps one
 * copy. The same formula as `defineEvent`'s `make` with `causedBy` and `idempotencyKey`.
 */
import { derivedEventId, type EventEnvelope, type EventId, eventIdTimestamp } from "../../core/index.ts";

/**
 * @example
 * causeDerivedId(reading, `${ruleId}/0`) // what make(payload, { causedBy: reading, idempotencyKey: `${ruleId}/0` }) gives
 */
export const causeDerivedId = (cause: Pick<EventEnvelope, "id" | "recordedAt">, key: string): EventId => {
  const recorded = Date.parse(cause.recordedAt);
  return derivedEventId(`${cause.id}/${key}`, Number.isFinite(recorded) ? recorded : eventIdTimestamp(cause.id));
};
