/** The Rule schema as given/when/then: what the admin API accepts, and what it refuses with which message. */
import { assert, describe, it } from "@effect/vitest";
import { Result, Schema } from "effect";
import { makeConditionRegistry } from "./conditionRegistry.ts";
import { zScoreCondition } from "./extensions/zScoreCondition.ts";
import { decodeRule, RuleSchema } from "./ruleSchema.ts";

const temp = { source: "reading", key: "temp" };
const hot = { type: "threshold", value: temp, op: ">", threshold: 30 };
const base = {
  ruleId: "hot-pump",
  tenantId: "acme",
  name: "Pump too hot",
  version: 1,
  enabled: true,
  scope: { tag: "pump" },
  severity: "major",
  condition: hot,
};

const problems = (input: unknown, registry = makeConditionRegistry()): Array<string> => {
  const result = decodeRule(registry)(input);
  return Result.isFailure(result) ? [result.failure.message] : [];
};
const accepted = (input: unknown, registry = makeConditionRegistry()) => problems(input, registry).length === 0;
const nested = (depth: number): unknown => {
  let condition: unknown = hot;
  for (let level = 1; level < depth; level++) condition = { type: "not", condition };
  return condition;
};

describe("rule schema", () => {
  it("given a rule using every built-in condition and option, when decoded, then it comes back unchanged", () => {
    const rule = {
      ...base,
      condition: {
        type: "or",
        conditions: [
          {
            type: "and",
            conditions: [
              hot,
              { type: "not", condition: { type: "range", value: temp, mode: "inside", min: 0, max: 30 } },
            ],
          },
          { type: "rateOfChange", value: temp, windowSeconds: 300, op: ">", perSecond: 0.1 },
          { type: "aggregate", value: temp, fn: "avg", window: { seconds: 600 }, op: ">=", threshold: 28 },
          { type: "aggregate", value: temp, fn: "count", window: { readings: 10 }, op: "<", threshold: 3 },
          { type: "absence", key: "heartbeat", seconds: 120 },
          { type: "compare", left: temp, op: ">", right: { source: "enrichment", key: "outside_temp" } },
          { type: "threshold", value: { source: "enrichment", key: "door" }, op: "==", threshold: "open" },
        ],
      },
      clear: { type: "threshold", value: temp, op: "<", threshold: 25 },
      forSeconds: 60,
      repeat: 3,
      escalation: { severity: "critical", condition: { ...hot, threshold: 50 } },
    };
    const result = decodeRule()(rule);
    assert.isTrue(Result.isSuccess(result));
    if (Result.isSuccess(result)) assert.deepStrictEqual<unknown>(result.success, rule);
  });

  it("given numbers that are not finite, when decoded, then each is refused", () => {
    assert.isFalse(accepted({ ...base, condition: { ...hot, threshold: Number.POSITIVE_INFINITY } }));
    assert.isFalse(accepted({ ...base, condition: { ...hot, threshold: Number.NaN } }));
    assert.isFalse(accepted({ ...base, forSeconds: Number.POSITIVE_INFINITY }));
    assert.isFalse(
      accepted({
        ...base,
        condition: { type: "range", value: temp, mode: "inside", min: Number.NEGATIVE_INFINITY, max: 1 },
      }),
    );
  });

  it.each([
    ["a zero-second window", { seconds: 0 }],
    ["a negative window", { seconds: -5 }],
    ["a window over 7 days", { seconds: 7 * 24 * 3600 + 1 }],
    ["a zero-reading window", { readings: 0 }],
    ["a window over 10,000 readings", { readings: 10_001 }],
    ["a fractional reading count", { readings: 2.5 }],
  ])("given %s, when decoded, then it is refused", (_name, window) => {
    assert.isFalse(
      accepted({ ...base, condition: { type: "aggregate", value: temp, fn: "avg", window, op: ">", threshold: 1 } }),
    );
  });

  it("given the largest windows allowed, when decoded, then they are accepted", () => {
    const aggregate = { type: "aggregate", value: temp, fn: "max", op: ">", threshold: 1 };
    assert.isTrue(accepted({ ...base, condition: { ...aggregate, window: { seconds: 7 * 24 * 3600 } } }));
    assert.isTrue(accepted({ ...base, condition: { ...aggregate, window: { readings: 10_000 } } }));
  });

  it.each(["te mp", "", "x".repeat(65), "temp$", "a/b"])(
    "given the key %j, when decoded, then it is refused",
    (key) => {
      const [message] = problems({ ...base, condition: { ...hot, value: { source: "reading", key } } });
      assert.include(message, "keys are 1-64 letters, digits or _ . -");
    },
  );

  it("given conditions nested 8 deep, when decoded, then they are accepted; at 9, refused with the limit", () => {
    assert.isTrue(accepted({ ...base, condition: nested(8) }));
    const [message] = problems({ ...base, condition: nested(9) });
    assert.include(message, "conditions nest at most 8 deep");
  });

  it("given conditions nested 10,000 deep, when decoded, then it is refused without overflowing the stack", () => {
    assert.include(problems({ ...base, condition: nested(10_000) })[0], "conditions nest at most 8 deep");
  });

  it("given a tree of more than 64 conditions, when decoded, then it is refused", () => {
    const wide = (n: number) => ({ type: "and", conditions: Array.from({ length: n }, () => hot) });
    assert.isTrue(accepted({ ...base, condition: { type: "or", conditions: [wide(16), wide(16), wide(16)] } }));
    const [message] = problems({
      ...base,
      condition: { type: "or", conditions: [wide(16), wide(16), wide(16), wide(16)] },
    });
    assert.include(message, "at most 64 conditions");
  });

  it("given an unknown condition type, when decoded without a registry that knows it, then it is refused", () => {
    const zScore = { type: "zScore", value: temp, window: { readings: 20 }, limit: 3 };
    assert.include(problems({ ...base, condition: zScore })[0], "a condition whose type is one of threshold");
    assert.isTrue(accepted({ ...base, condition: zScore }, makeConditionRegistry([zScoreCondition])));
  });

  it("given a registered extension with bad parameters, when decoded, then its own schema refuses them", () => {
    const registry = makeConditionRegistry([zScoreCondition]);
    const [message] = problems(
      { ...base, condition: { type: "zScore", value: temp, window: { readings: 20 }, limit: 0 } },
      registry,
    );
    assert.include(message, "the limit is above 0 standard deviations");
  });

  it("given inconsistent parameters, when decoded, then each is refused with a reason", () => {
    assert.include(problems({ ...base, condition: { ...hot, threshold: "hot" } })[0], "compare with == or != only");
    const range = { type: "range", value: temp, mode: "outside", min: 10, max: 5 };
    assert.include(problems({ ...base, condition: range })[0], "max is at least min");
    const escalation = { severity: "minor", condition: hot };
    assert.include(problems({ ...base, escalation })[0], "more severe severity");
    assert.include(problems({ ...base, forSecond: 5 })[0], "Expected no excess property");
    assert.isFalse(accepted({ ...base, repeat: 0 }));
    assert.isFalse(accepted({ ...base, scope: { allDevices: false } }));
    assert.isFalse(accepted({ ...base, condition: { type: "and", conditions: [] } }));
  });

  it("given an extension that takes a built-in's name, when registered, then the registry refuses it", () => {
    const clash = { ...zScoreCondition, type: "threshold" };
    assert.throws(() => makeConditionRegistry([clash]), /already defined/);
    assert.throws(() => makeConditionRegistry([zScoreCondition, zScoreCondition]), /already defined/);
    assert.throws(() => makeConditionRegistry([{ ...zScoreCondition, type: "and" }]), /already defined/);
  });

  it("given the rule schema, when turned into JSON Schema for OpenAPI, then each nesting level is a named definition", () => {
    const document = Schema.toJsonSchemaDocument(RuleSchema);
    assert.include(Object.keys(document.definitions ?? {}), "ConditionAtDepth8");
    assert.isBelow(JSON.stringify(document).length, 50_000);
  });
});
