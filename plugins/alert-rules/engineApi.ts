/**
 * The one place the plugin meets the pure engine (engine/index.ts, see
 * /work/notes/alert-engine-contract.md): everything else imports the engine through here.
 */
export {
  type AlertTransition,
  type BacktestAlert,
  type BacktestRun,
  type ConditionDefinition,
  type ConditionRegistry,
  conditionsOf,
  defaultConditionRegistry,
  defineCondition,
  type EngineInput,
  evaluate,
  initialState,
  makeConditionRegistry,
  makeRuleSchema,
  type Reading,
  type Rule,
  RuleDeviceState,
  referencesOf,
  ruleNeedsTicks,
  startBacktest,
} from "./engine/index.ts";
