/**
 * The condition cases of conditions.e2e.test.ts: for each condition type, a rule on one
 * device, the readings it sends (one a second, by index), and the alerts those readings
 * must raise, with the reading index each rises and resolves at.
 */
import { thresholdOn } from "./alertRulesPlatform.ts";

const temp = (key: string) => ({ source: "reading", key });

export type Values = Record<string, number | string | boolean>;

/** A rule, the readings one device sends (a second apart), and the alerts they must raise. */
export interface ConditionCase {
  readonly name: string;
  readonly device: string;
  readonly rule: Record<string, unknown>;
  readonly readings: ReadonlyArray<Values>;
  /** [raised at index, resolved at index | null, severity, raising value] per alert, oldest first. */
  readonly expected: ReadonlyArray<readonly [number, number | null, string, unknown]>;
}

/** One case per condition type (and the time features), each on its own device. */
export const conditionCases: ReadonlyArray<ConditionCase> = [
  {
    name: "threshold",
    device: "dev-threshold",
    rule: thresholdOn("c-threshold", "dev-threshold", 30),
    readings: [{ temp: 20 }, { temp: 31 }, { temp: 35 }, { temp: 25 }],
    expected: [[1, 3, "major", 31]],
  },
  {
    name: "range (outside)",
    device: "dev-range",
    rule: {
      ...thresholdOn("c-range", "dev-range", 0),
      condition: { type: "range", value: temp("temp"), mode: "outside", min: 10, max: 30 },
    },
    readings: [{ temp: 20 }, { temp: 35 }, { temp: 40 }, { temp: 25 }, { temp: 5 }],
    expected: [
      [1, 3, "major", 35],
      [4, null, "major", 5],
    ],
  },
  {
    name: "rate of change",
    device: "dev-rate",
    rule: {
      ...thresholdOn("c-rate", "dev-rate", 0),
      condition: { type: "rateOfChange", value: temp("temp"), windowSeconds: 3, op: ">", perSecond: 2 },
    },
    readings: [
      { temp: 10 },
      { temp: 10 },
      { temp: 20 },
      { temp: 21 },
      { temp: 21 },
      { temp: 21 },
      { temp: 21 },
      { temp: 21 },
    ],
    // The window holds the samples of the last 3 s, the one exactly 3 s old excluded.
    expected: [[2, 4, "major", 5]],
  },
  {
    name: "aggregate (avg of 3 readings)",
    device: "dev-aggregate",
    rule: {
      ...thresholdOn("c-aggregate", "dev-aggregate", 0),
      condition: { type: "aggregate", value: temp("temp"), fn: "avg", window: { readings: 3 }, op: ">", threshold: 30 },
    },
    readings: [{ temp: 20 }, { temp: 30 }, { temp: 40 }, { temp: 50 }, { temp: 20 }, { temp: 10 }],
    expected: [[3, 5, "major", 40]],
  },
  {
    name: "absence",
    device: "dev-absence",
    rule: { ...thresholdOn("c-absence", "dev-absence", 0), condition: { type: "absence", key: "temp", seconds: 4 } },
    readings: [
      { temp: 20 },
      { hum: 40 },
      { hum: 41 },
      { hum: 42 },
      { hum: 43 },
      { hum: 44 },
      { hum: 45 },
      { temp: 21 },
    ],
    expected: [[4, 7, "major", 4]],
  },
  {
    name: "compare (two values)",
    device: "dev-compare",
    rule: {
      ...thresholdOn("c-compare", "dev-compare", 0),
      condition: { type: "compare", left: temp("temp"), op: ">", right: temp("setpoint") },
    },
    readings: [
      { temp: 20, setpoint: 25 },
      { temp: 30, setpoint: 25 },
      { temp: 22, setpoint: 25 },
    ],
    expected: [[1, 2, "major", 30]],
  },
  {
    name: "and / or / not",
    device: "dev-logic",
    rule: {
      ...thresholdOn("c-logic", "dev-logic", 0),
      condition: {
        type: "or",
        conditions: [
          {
            type: "and",
            conditions: [
              { type: "threshold", value: temp("temp"), op: ">", threshold: 30 },
              { type: "not", condition: { type: "threshold", value: temp("hum"), op: "<", threshold: 50 } },
            ],
          },
          { type: "threshold", value: temp("pressure"), op: ">", threshold: 100 },
        ],
      },
    },
    readings: [
      { temp: 35, hum: 40, pressure: 90 },
      { temp: 35, hum: 60, pressure: 90 },
      { temp: 35, hum: 45, pressure: 90 },
      { temp: 20, hum: 45, pressure: 120 },
      { temp: 20, hum: 45, pressure: 90 },
    ],
    // An `or` reports the value of the branch that decided it.
    expected: [
      [1, 2, "major", 35],
      [3, 4, "major", 120],
    ],
  },
  {
    name: "hysteresis, repeat and escalation",
    device: "dev-hysteresis",
    rule: thresholdOn("c-hysteresis", "dev-hysteresis", 30, {
      repeat: 2,
      clear: { type: "threshold", value: temp("temp"), op: "<", threshold: 25 },
      escalation: {
        severity: "critical",
        condition: { type: "threshold", value: temp("temp"), op: ">", threshold: 40 },
      },
    }),
    readings: [{ temp: 31 }, { temp: 32 }, { temp: 45 }, { temp: 28 }, { temp: 24 }],
    expected: [[1, 4, "critical", 32]],
  },
];
