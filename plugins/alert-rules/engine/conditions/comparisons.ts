/** Comparing an observed value with a threshold or another value, and how far past it the value is. */
import type { Op, ReadingValue } from "../ruleFields.ts";

/** Whether `left op right` holds (null: cannot tell), and by how much for numbers (larger is worse). */
export interface Comparison {
  readonly holds: boolean | null;
  readonly excess?: number | undefined;
}

const excessOf = (op: Op, left: number, right: number): number | undefined => {
  switch (op) {
    case ">":
    case ">=":
      return left - right;
    case "<":
    case "<=":
      return right - left;
    case "!=":
      return Math.abs(left - right);
    case "==":
      return undefined;
  }
};

const holdsFor = (op: Op, left: number, right: number): boolean => {
  switch (op) {
    case ">":
      return left > right;
    case ">=":
      return left >= right;
    case "<":
      return left < right;
    case "<=":
      return left <= right;
    case "==":
      return left === right;
    case "!=":
      return left !== right;
  }
};

/**
 * Compares two values: numbers with any operator, text and booleans with `==` and `!=`
 * only. A missing left value, or an ordering operator on text or booleans, gives null.
 *
 * @example
 * compareValues(31, ">", 30) // { holds: true, excess: 1 }
 * compareValues("open", "==", "open") // { holds: true }
 * compareValues(undefined, ">", 30) // { holds: null }
 */
export const compareValues = (left: ReadingValue | undefined, op: Op, right: ReadingValue): Comparison => {
  if (left === undefined) return { holds: null };
  if (typeof left === "number" && typeof right === "number") {
    return { holds: holdsFor(op, left, right), excess: excessOf(op, left, right) };
  }
  if (op === "==") return { holds: left === right };
  if (op === "!=") return { holds: left !== right };
  return { holds: null };
};
