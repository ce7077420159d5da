/**
 * What a condition type is to the engine: a schema for its JSON form, the values it reads,
 * and a pure `evaluate` at one device-time instant. Built-in leaf conditions and plugin
 * extensions are both defined with `defineCondition`; only `and` / `or` / `not` are wired
 * into the engine directly because their schema is recursive.
 */
import type { Schema } from "effect";
import type { Condition } from "./condition.ts";
import type { ObservedValue, ReadingValue, ValueRef, WindowSpec } from "./ruleFields.ts";
import type { Sample } from "./windows.ts";

/** The outcome of a condition at one instant. */
export interface ConditionResult {
  /** true: it holds; false: it does not; null: cannot tell (a value never seen, too few samples, wrong type). */
  readonly holds: boolean | null;
  /** What it observed (a reading, an aggregate, a rate, seconds of silence): alerts report it. */
  readonly value: ObservedValue;
  /** How far past its threshold the value is, larger is worse: the alert's peak is the value with the largest. */
  readonly excess?: number | undefined;
}

/** A value as last seen: `{ ts: device time in ms, value }`. */
export interface TimedValue {
  readonly ts: number;
  readonly value: ReadingValue;
}

/** A value a condition reads, and the window of past numeric samples it needs (none: only the latest value). */
export interface ValueReference {
  readonly ref: ValueRef;
  readonly window?: WindowSpec | undefined;
}

/** What a condition sees when it is evaluated: the device's values as of `now`. */
export interface ConditionContext {
  /** The device-time instant (ms) of this evaluation. */
  readonly now: number;
  /** When the engine first saw this device for this rule (device ms): absence counts from here when a key never came. */
  readonly observingSince: number;
  /** The newest value of a reference, if it was ever seen. */
  readonly latest: (ref: ValueRef) => TimedValue | undefined;
  /** The numeric samples of a reference inside `window` at `now`, oldest first (only what the condition declared). */
  readonly window: (ref: ValueRef, window: WindowSpec) => ReadonlyArray<Sample>;
  /** Evaluates another condition at the same instant (for combinators). */
  readonly evaluate: (condition: Condition) => ConditionResult;
  /** The next instant (device ms, after `now`) at which another condition may change with no new data. */
  readonly nextChange: (condition: Condition) => number | undefined;
}

/** A registered condition type, with its parameters erased: what the registry and the engine hold. */
export interface ConditionDefinition {
  readonly type: string;
  /** Decodes the whole condition object, `type` included. */
  readonly schema: Schema.Top;
  readonly references: (condition: Condition) => ReadonlyArray<ValueReference>;
  readonly evaluate: (condition: Condition, context: ConditionContext) => ConditionResult;
  readonly nextChange: (condition: Condition, context: ConditionContext) => number | undefined;
  /** Whether the result can change with no new reading (it defines `nextChange`): rules using it need ticks. */
  readonly changesWithTime: boolean;
}

/** The fields of a condition schema: a literal `type` plus its parameters. */
export type ConditionFields = { readonly type: Schema.Literal<string> } & Schema.Struct.Fields;

/** How to define a condition type: `schema` is a Struct whose `type` field is the condition's literal type. */
export interface ConditionSpec<Fields extends ConditionFields> {
  readonly schema: Schema.Struct<Fields>;
  /** The values it reads and the windows it needs: the engine keeps exactly these, bounded. */
  readonly references: (condition: Schema.Struct<Fields>["Type"]) => ReadonlyArray<ValueReference>;
  readonly evaluate: (condition: Schema.Struct<Fields>["Type"], context: ConditionContext) => ConditionResult;
  /**
   * The next instant after `context.now` at which the result may change with no new reading
   * (a sample leaving a time window, a silence reaching its limit); the engine evaluates
   * exactly then, so ticks and backtests agree. Omit it for conditions that change only with data.
   */
  readonly nextChange?: (condition: Schema.Struct<Fields>["Type"], context: ConditionContext) => number | undefined;
}

/**
 * Defines a condition type, built-in or from a plugin. Register extensions with
 * `makeConditionRegistry([definition])` and decode rules with that registry.
 *
 * @example
 * const isTrue = defineCondition({
 *   schema: Schema.Struct({ type: Schema.Literal("isTrue"), value: ValueRef }),
 *   references: (condition) => [{ ref: condition.value }],
 *   evaluate: (condition, context) => {
 *     const latest = context.latest(condition.value);
 *     return latest === undefined ? { holds: null, value: null } : { holds: latest.value === true, value: latest.value };
 *   },
 * });
 */
export const defineCondition = <const Fields extends ConditionFields>(
  spec: ConditionSpec<Fields>,
): ConditionDefinition => {
  type Params = Schema.Struct<Fields>["Type"];
  const nextChange = spec.nextChange;
  return {
    type: spec.schema.fields.type.literal,
    schema: spec.schema,
    references: (condition) => spec.references(condition as Params),
    evaluate: (condition, context) => spec.evaluate(condition as Params, context),
    nextChange: (condition, context) =>
      nextChange === undefined ? undefined : nextChange(condition as Params, context),
    changesWithTime: nextChange !== undefined,
  };
};
