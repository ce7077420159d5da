/**
 * /v1/rules: a tenant's alert rules (tenant key only). Writes answer with the rule as the
 * read model holds it right after the write, with its version as ETag; If-Match makes an
 * update, enable, disable or delete conditional (409 when the rule moved on).
 */
import { Effect } from "effect";
import { type Context, Hono } from "hono";
import { decodeRequest, etagOf, type RouteContext, singleValuedQuery, ValidationFailed } from "../../core/index.ts";
import type { ConditionTypes } from "./conditionTypes.ts";
import { callingTenant, expectedVersionOf, jsonBodyOf } from "./requestInput.ts";
import { ListRulesQuery, NoQuery, RuleBodyObject, RulePath, serverOwnedRuleFields } from "./requestSchemas.ts";
import { createRule, deleteRule, type RuleBody, setRuleEnabled, updateRule } from "./ruleCommands.ts";
import { getRule, listRules } from "./ruleQueries.ts";

/** The body as an object, refusing the fields the server owns. */
const ruleBodyOf = (c: Context): Effect.Effect<RuleBody, ValidationFailed> =>
  Effect.gen(function* () {
    const body = yield* decodeRequest(RuleBodyObject, yield* jsonBodyOf(c.req));
    const owned = serverOwnedRuleFields.filter((field) => field in body);
    if (owned.length > 0) {
      return yield* new ValidationFailed({
        detail: "the request sets fields the server owns",
        errors: owned.map((field) => ({ field, reason: "is set by the server" })),
      });
    }
    return body as RuleBody;
  });

/**
 * @example
 * api.routes((context) => ruleRoutes(context, types));
 */
export const ruleRoutes = (context: RouteContext, types: ConditionTypes): Hono => {
  const app = new Hono();

  app.post("/v1/rules", async (c) => {
    const rule = await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callingTenant(c.req);
        yield* decodeRequest(NoQuery, yield* singleValuedQuery(c.req));
        const created = yield* createRule(tenantId, yield* ruleBodyOf(c), types);
        return yield* getRule(tenantId, created.ruleId);
      }),
    );
    c.header("location", `/v1/rules/${encodeURIComponent(rule.ruleId)}`);
    c.header("etag", etagOf(rule.version));
    return c.json(rule, 201);
  });

  app.get("/v1/rules", async (c) => {
    const page = await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callingTenant(c.req);
        return yield* listRules(tenantId, yield* decodeRequest(ListRulesQuery, yield* singleValuedQuery(c.req)));
      }),
    );
    return c.json(page);
  });

  app.get("/v1/rules/:ruleId", async (c) => {
    const rule = await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callingTenant(c.req);
        const { ruleId } = yield* decodeRequest(RulePath, c.req.param());
        yield* decodeRequest(NoQuery, yield* singleValuedQuery(c.req));
        return yield* getRule(tenantId, ruleId);
      }),
    );
    c.header("etag", etagOf(rule.version));
    return c.json(rule);
  });

  app.put("/v1/rules/:ruleId", async (c) => {
    const rule = await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callingTenant(c.req);
        const { ruleId } = yield* decodeRequest(RulePath, c.req.param());
        yield* decodeRequest(NoQuery, yield* singleValuedQuery(c.req));
        const expected = yield* expectedVersionOf(c.req.header("if-match"));
        yield* updateRule(tenantId, ruleId, yield* ruleBodyOf(c), expected, types);
        return yield* getRule(tenantId, ruleId);
      }),
    );
    c.header("etag", etagOf(rule.version));
    return c.json(rule);
  });

  for (const [action, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    app.post(`/v1/rules/:ruleId/${action}`, async (c) => {
      const rule = await context.run(
        Effect.gen(function* () {
          const { tenantId } = yield* callingTenant(c.req);
          const { ruleId } = yield* decodeRequest(RulePath, c.req.param());
          yield* decodeRequest(NoQuery, yield* singleValuedQuery(c.req));
          const expected = yield* expectedVersionOf(c.req.header("if-match"));
          yield* setRuleEnabled(tenantId, ruleId, enabled, expected);
          return yield* getRule(tenantId, ruleId);
        }),
      );
      c.header("etag", etagOf(rule.version));
      return c.json(rule);
    });
  }

  app.delete("/v1/rules/:ruleId", async (c) => {
    await context.run(
      Effect.gen(function* () {
        const { tenantId } = yield* callingTenant(c.req);
        const { ruleId } = yield* decodeRequest(RulePath, c.req.param());
        yield* decodeRequest(NoQuery, yield* singleValuedQuery(c.req));
        yield* deleteRule(tenantId, ruleId, yield* expectedVersionOf(c.req.header("if-match")));
      }),
    );
    return c.body(null, 204);
  });

  return app;
};
