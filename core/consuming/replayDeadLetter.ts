/**
 * Replays a dead letter once its handler is fixed: the original message goes back to its
 * original topic, marked for the group that gave up on it (other groups ignore it), and
 * the record is marked replayed. Idempotent handling means a replay of something already
 * handled does nothing.
 */
import { Effect, Option, Schema } from "effect";
import { EventBus } from "../bus/EventBus.ts";
import { EventHeaders } from "../bus/eventMessages.ts";
import { type DeadLetter, DeadLetters } from "./DeadLetters.ts";

export class DeadLetterNotFound extends Schema.TaggedError<DeadLetterNotFound>()("DeadLetterNotFound", {
  id: Schema.String,
}) {}

/**
 * @example
 * const replayed = yield* replayDeadLetter("anansky.alert-rules|anansky.telemetry|2|1041");
 */
export const replayDeadLetter = Effect.fn("DeadLetters.replay")(function* (id: string) {
  const deadLetters = yield* DeadLetters;
  const bus = yield* EventBus;
  const found = yield* deadLetters.get(id);
  if (Option.isNone(found)) return yield* new DeadLetterNotFound({ id });
  const deadLetter: DeadLetter = found.value;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(deadLetter.headers)) {
    if (!name.startsWith("anansky-dlq-")) headers[name] = value;
  }
  headers[EventHeaders.replayForGroup] = deadLetter.group;
  yield* bus.publish([{ topic: deadLetter.topic, key: deadLetter.key, value: deadLetter.value, headers }]);
  const replayedAt = new Date().toISOString();
  yield* deadLetters.markReplayed(id, replayedAt);
  return { ...deadLetter, status: "replayed" as const, replayedAt };
});
