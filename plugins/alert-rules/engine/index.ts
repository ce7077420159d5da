/**
 * The alert-rules engine: pure, Deno-compatible, no I/O and no services. Decode rules with
 * `decodeRule(registry)`, keep one `RuleDeviceState` per (rule, device) starting from
 * `initialState(rule)`, feed it readings and ticks with `evaluate`, and turn the returned
 * transitions into events. `backtest` runs the same `evaluate` over stored readings.
 * Plugins add condition types with `defineCondition` + `makeConditionRegistry`.
 *
 * @example
 * import { decodeRule, evaluate, initialState } from "./engine/index.ts";
 * const rule = Result.getOrThrow(decodeRule()(body));
 * let state = initialState(rule);
 * const { state: next, transitions } = evaluate(rule, state, { kind: "reading", eventId, deviceId, ts, values, enrichment: {} });
 */
export type {
  AlertEscalatedTransition,
  AlertPendingCancelledTransition,
  AlertPendingTransition,
  AlertRaisedTransition,
  AlertResolvedTransition,
  AlertTransition,
} from "./alertTransition.ts";
export {
  type BacktestAlert,
  type BacktestOptions,
  type BacktestRun,
  backtest,
  startBacktest,
} from "./backtest.ts";
export type {
  AbsenceCondition,
  AggregateCondition,
  AndCondition,
  BuiltInCondition,
  CompareCondition,
  Condition,
  ExtensionCondition,
  NotCondition,
  OrCondition,
  RangeCondition,
  RateOfChangeCondition,
  ThresholdCondition,
} from "./condition.ts";
export {
  type ConditionContext,
  type ConditionDefinition,
  type ConditionResult,
  type ConditionSpec,
  defineCondition,
  type TimedValue,
  type ValueReference,
} from "./conditionDefinition.ts";
export {
  builtInConditions,
  type ConditionRegistry,
  defaultConditionRegistry,
  makeConditionRegistry,
} from "./conditionRegistry.ts";
export { childrenOf, conditionDepth, definitionOf, referencesOf } from "./conditionTree.ts";
export {
  defaultLateToleranceMs,
  type EngineInput,
  type EvaluateOptions,
  type EvaluationResult,
  evaluate,
  initialState,
} from "./evaluateRule.ts";
export { ZScoreCondition, zScoreCondition } from "./extensions/zScoreCondition.ts";
export type { Reading } from "./recordReading.ts";
export { OpenAlert, RuleDeviceState, TrackedValue } from "./ruleDeviceState.ts";
export {
  Key,
  maxCombinedConditions,
  maxConditionDepth,
  maxConditionsPerTree,
  maxWindowReadings,
  maxWindowSeconds,
  ObservedValue,
  Op,
  ReadingValue,
  Severity,
  severityRank,
  ValueRef,
  WindowSpec,
} from "./ruleFields.ts";
export { conditionsOf, ruleNeedsTicks } from "./rulePlan.ts";
export {
  decodeRule,
  makeConditionSchema,
  makeRuleSchema,
  Rule,
  RuleSchema,
  RuleScope,
  ruleParseOptions,
} from "./ruleSchema.ts";
export { nextWindowExit, type Sample, samplesInWindow } from "./windows.ts";
