/** `absence`: no reading of key K from the device for T seconds; ticks fire it when no data arrives. */
import { Schema } from "effect";
import { type ConditionContext, defineCondition } from "../conditionDefinition.ts";
import { Key, secondsToMs, type ValueRef, WindowSeconds } from "../ruleFields.ts";

/**
 * @example
 * { type: "absence", key: "heartbeat", seconds: 300 }
 */
export const AbsenceCondition = Schema.Struct({
  type: Schema.Literal("absence"),
  key: Key,
  seconds: WindowSeconds,
});
export type AbsenceCondition = typeof AbsenceCondition.Type;

const readingOf = (condition: AbsenceCondition): ValueRef => ({ source: "reading", key: condition.key });

/** When the silence started: the key's newest reading, or when the engine started watching the device. */
const silentSince = (condition: AbsenceCondition, context: ConditionContext): number =>
  context.latest(readingOf(condition))?.ts ?? context.observingSince;

/**
 * Holds once `now - last reading of K >= T` (a reading exactly T later still finds it
 * silent); its value is the silence in seconds. Its next change is the instant the
 * silence reaches T, so a tick at or after that instant raises it at exactly that instant.
 */
export const absenceCondition = defineCondition({
  schema: AbsenceCondition,
  references: (condition) => [{ ref: readingOf(condition) }],
  evaluate: (condition, context) => {
    const silenceMs = context.now - silentSince(condition, context);
    const silenceSeconds = silenceMs / 1000;
    return {
      holds: silenceMs >= secondsToMs(condition.seconds),
      value: silenceSeconds,
      excess: silenceSeconds - condition.seconds,
    };
  },
  nextChange: (condition, context) => {
    const due = silentSince(condition, context) + secondsToMs(condition.seconds);
    return due > context.now ? due : undefined;
  },
});
