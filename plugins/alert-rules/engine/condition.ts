/**
 * The condition language as TypeScript types. The JSON forms are validated by ruleSchema.ts;
 * a plugin's condition types arrive as `ExtensionCondition` and are only accepted when
 * registered (see conditionRegistry.ts).
 */
import type { AbsenceCondition } from "./conditions/absence.ts";
import type { AggregateCondition } from "./conditions/aggregate.ts";
import type { AndCondition } from "./conditions/and.ts";
import type { CompareCondition } from "./conditions/compare.ts";
import type { NotCondition } from "./conditions/not.ts";
import type { OrCondition } from "./conditions/or.ts";
import type { RangeCondition } from "./conditions/range.ts";
import type { RateOfChangeCondition } from "./conditions/rateOfChange.ts";
import type { ThresholdCondition } from "./conditions/threshold.ts";

export type {
  AbsenceCondition,
  AggregateCondition,
  AndCondition,
  CompareCondition,
  NotCondition,
  OrCondition,
  RangeCondition,
  RateOfChangeCondition,
  ThresholdCondition,
};

/** A condition type registered by a plugin: `type` plus its own parameters. */
export interface ExtensionCondition {
  readonly type: string;
  readonly [param: string]: unknown;
}

/** The condition types the engine ships: six leaves and the three combinators. */
export type BuiltInCondition =
  | ThresholdCondition
  | RangeCondition
  | RateOfChangeCondition
  | AggregateCondition
  | AbsenceCondition
  | CompareCondition
  | AndCondition
  | OrCondition
  | NotCondition;

/**
 * @example
 * const condition: Condition = {
 *   type: "and",
 *   conditions: [
 *     { type: "threshold", value: { source: "reading", key: "temp" }, op: ">", threshold: 30 },
 *     { type: "compare", left: { source: "reading", key: "temp" }, op: ">", right: { source: "enrichment", key: "outside_temp" } },
 *   ],
 * };
 */
export type Condition = BuiltInCondition | ExtensionCondition;
