/** The alert-rules plugin's operations in /openapi.json, described with the Schemas the routes decode with. */
import type { OperationSpec } from "../../core/index.ts";
import {
  AcknowledgeBody,
  BacktestBody,
  CreateSilenceBody,
  ListAlertsQuery,
  ListRulesQuery,
  ListSilencesQuery,
  RuleBodyObject,
} from "./requestSchemas.ts";

const rule = [{ name: "ruleId", description: "the rule's id within the caller's tenant" }];
const alert = [{ name: "alertId", description: "the alert episode's id" }];
const ifMatch = [{ name: "If-Match", description: "the rule's version (its ETag): 409 when it moved on" }];
const ruleBody = {
  contentTypes: ["application/json"],
  schema: RuleBodyObject,
} as const;
const ruleBodyNote =
  "The body is a rule of the engine (name, scope, severity, condition, clear?, forSeconds?, repeat?, escalation?; ruleId and enabled optional on create); see plugins/alert-rules/README.md for condition types. tenantId and version are set by the server.";

/** For `api.openapi(...alertRulesOperations)`. */
export const alertRulesOperations: ReadonlyArray<OperationSpec> = [
  {
    method: "post",
    path: "/v1/rules",
    summary: "Create an alert rule",
    description: ruleBodyNote,
    tags: ["alert rules"],
    credentials: ["tenant"],
    requestBody: ruleBody,
    responses: { 201: { description: "the rule, ETag = its version" }, 409: { description: "the id is taken" } },
  },
  {
    method: "get",
    path: "/v1/rules",
    summary: "List the tenant's rules",
    tags: ["alert rules"],
    credentials: ["tenant"],
    query: ListRulesQuery,
    responses: { 200: { description: "`{rules, nextCursor}`" } },
  },
  {
    method: "get",
    path: "/v1/rules/{ruleId}",
    summary: "A rule",
    tags: ["alert rules"],
    credentials: ["tenant"],
    pathParameters: rule,
    responses: { 200: { description: "the rule, ETag = its version" } },
  },
  {
    method: "put",
    path: "/v1/rules/{ruleId}",
    summary: "Replace a rule's definition (its open alerts resolve as ruleChanged)",
    description: ruleBodyNote,
    tags: ["alert rules"],
    credentials: ["tenant"],
    pathParameters: rule,
    headers: ifMatch,
    requestBody: ruleBody,
    responses: { 200: { description: "the rule" }, 409: { description: "If-Match does not match" } },
  },
  ...(["enable", "disable"] as const).map(
    (action): OperationSpec => ({
      method: "post",
      path: `/v1/rules/{ruleId}/${action}`,
      summary: `${action === "enable" ? "Enable" : "Disable"} a rule`,
      tags: ["alert rules"],
      credentials: ["tenant"],
      pathParameters: rule,
      headers: ifMatch,
      responses: { 200: { description: "the rule" } },
    }),
  ),
  {
    method: "delete",
    path: "/v1/rules/{ruleId}",
    summary: "Delete a rule (its alerts stay in the history)",
    tags: ["alert rules"],
    credentials: ["tenant"],
    pathParameters: rule,
    headers: ifMatch,
    responses: { 204: { description: "deleted" } },
  },
  {
    method: "post",
    path: "/v1/rules/backtest",
    summary: "Replay a new or changed rule over stored readings",
    description:
      "With `Accept: application/x-ndjson`, streams `started`, `progress` (per device), `alert` and `summary` lines; otherwise answers `{alerts, summary}`.",
    tags: ["alert rules"],
    credentials: ["tenant"],
    requestBody: { contentTypes: ["application/json"], schema: BacktestBody },
    responses: { 200: { description: "the alerts the rule would have raised, with a summary" } },
  },
  {
    method: "get",
    path: "/v1/alerts",
    summary: "Query alerts: active (default), history, by device, rule, severity; newest first",
    tags: ["alerts"],
    credentials: ["tenant"],
    query: ListAlertsQuery,
    responses: { 200: { description: "`{alerts, nextCursor}`" } },
  },
  {
    method: "get",
    path: "/v1/alerts/{alertId}",
    summary: "An alert episode",
    tags: ["alerts"],
    credentials: ["tenant"],
    pathParameters: alert,
    responses: { 200: { description: "the alert" } },
  },
  {
    method: "post",
    path: "/v1/alerts/{alertId}/acknowledge",
    summary: "Acknowledge an active alert",
    tags: ["alerts"],
    credentials: ["tenant"],
    pathParameters: alert,
    requestBody: { contentTypes: ["application/json"], schema: AcknowledgeBody },
    responses: { 200: { description: "the alert" }, 409: { description: "resolved or already acknowledged" } },
  },
  {
    method: "post",
    path: "/v1/silences",
    summary: "Silence a rule, a device or both for a time window",
    tags: ["alerts"],
    credentials: ["tenant"],
    requestBody: { contentTypes: ["application/json"], schema: CreateSilenceBody },
    responses: { 201: { description: "the silence" } },
  },
  {
    method: "get",
    path: "/v1/silences",
    summary: "The tenant's silences (active ones by default)",
    tags: ["alerts"],
    credentials: ["tenant"],
    query: ListSilencesQuery,
    responses: { 200: { description: "`{silences}`" } },
  },
  {
    method: "delete",
    path: "/v1/silences/{silenceId}",
    summary: "End a silence now",
    tags: ["alerts"],
    credentials: ["tenant"],
    pathParameters: [{ name: "silenceId", description: "the silence's id" }],
    responses: { 204: { description: "ended" }, 409: { description: "it has ended already" } },
  },
];
