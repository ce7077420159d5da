/**
 * How the memory layer evaluates a validated query the way MongoDB does for the supported
 * subset: dotted paths traverse arrays, an array matches when an element does, null
 * matches a missing field, comparisons stay within one kind of value (type bracketing),
 * and sorting follows BSON order (null < numbers < strings < objects < arrays < booleans < dates).
 */
import { Predicate } from "effect";
import type { Condition, FieldQuery, Scalar, SortKey } from "./readModelQuery.ts";

/** The values a dotted path reaches; an array is traversed when the next segment is not an index. */
const valuesAt = (value: unknown, segments: ReadonlyArray<string>): ReadonlyArray<unknown> => {
  if (segments.length === 0) return [value];
  const [segment = "", ...rest] = segments;
  if (Array.isArray(value)) {
    if (/^\d+$/.test(segment)) return valuesAt(value[Number(segment)], rest);
    return value.flatMap((element) => (Predicate.isObject(element) ? valuesAt(element, segments) : []));
  }
  if (!Predicate.isObject(value) || Predicate.isDate(value) || !Object.hasOwn(value, segment)) return [];
  return valuesAt(value[segment], rest);
};

/** What a condition is compared with: each array's elements besides the values themselves. */
const candidatesOf = (values: ReadonlyArray<unknown>): ReadonlyArray<unknown> =>
  values.flatMap((value) => (Array.isArray(value) ? [value, ...value] : [value]));

type Kind = "emptyArray" | "null" | "number" | "string" | "object" | "array" | "boolean" | "date";

// An empty array sorts below null in MongoDB (it has no element to sort by).
const emptyArray: unique symbol = Symbol("emptyArray");

const kindOf = (value: unknown): Kind => {
  if (value === emptyArray) return "emptyArray";
  if (value === null || value === undefined) return "null";
  if (Predicate.isNumber(value)) return "number";
  if (Predicate.isString(value)) return "string";
  if (Predicate.isBoolean(value)) return "boolean";
  if (Predicate.isDate(value)) return "date";
  return Array.isArray(value) ? "array" : "object";
};

const kindRank: Record<Kind, number> = {
  emptyArray: 0,
  null: 1,
  number: 2,
  string: 3,
  object: 4,
  array: 5,
  boolean: 8,
  date: 9,
};

// MongoDB compares strings by UTF-8 bytes, i.e. by code point (not by UTF-16 unit as `<` does).
const compareStrings = (a: string, b: string): number => {
  const left = Array.from(a, (c) => c.codePointAt(0) ?? 0);
  const right = Array.from(b, (c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
};

/**
 * BSON order of two values of any kind.
 *
 * @example
 * compareValues(null, 1) < 0 && compareValues(1, "a") < 0 && compareValues("a", true) < 0
 */
export const compareValues = (a: unknown, b: unknown): number => {
  const kindA = kindOf(a);
  const kindB = kindOf(b);
  if (kindA !== kindB) return kindRank[kindA] - kindRank[kindB];
  switch (kindA) {
    case "emptyArray":
    case "null":
      return 0;
    case "number":
      return (a as number) - (b as number);
    case "string":
      return compareStrings(a as string, b as string);
    case "boolean":
      return Number(a) - Number(b);
    case "date":
      return (a as Date).getTime() - (b as Date).getTime();
    default:
      return compareStrings(JSON.stringify(a), JSON.stringify(b));
  }
};

const equalsScalar = (candidate: unknown, operand: Scalar): boolean =>
  kindOf(candidate) === kindOf(operand) && compareValues(candidate, operand) === 0;

/** Equality as MongoDB matches it: an element of an array, and null for a missing field. */
const matchesEquality = (values: ReadonlyArray<unknown>, operand: Scalar): boolean =>
  (operand === null && values.length === 0) || candidatesOf(values).some((c) => equalsScalar(c, operand));

const matchesOrder = (values: ReadonlyArray<unknown>, op: "$gt" | "$gte" | "$lt" | "$lte", operand: Scalar) => {
  if (operand === null) return (op === "$gte" || op === "$lte") && matchesEquality(values, null);
  return candidatesOf(values).some((candidate) => {
    if (kindOf(candidate) !== kindOf(operand)) return false;
    const order = compareValues(candidate, operand);
    return op === "$gt" ? order > 0 : op === "$gte" ? order >= 0 : op === "$lt" ? order < 0 : order <= 0;
  });
};

const matchesCondition = (values: ReadonlyArray<unknown>, condition: Condition): boolean => {
  switch (condition.op) {
    case "$eq":
      return matchesEquality(values, condition.value);
    case "$ne":
      return !matchesEquality(values, condition.value);
    case "$in":
      return condition.values.some((operand) => matchesEquality(values, operand));
    case "$exists":
      return values.length > 0 === condition.value;
    default:
      return matchesOrder(values, condition.op, condition.value);
  }
};

/**
 * Whether a document satisfies every field query.
 *
 * @example
 * matchesFilter({ _id: "d1", tags: ["a"] }, query.fields)
 */
export const matchesFilter = (document: Readonly<Record<string, unknown>>, fields: ReadonlyArray<FieldQuery>) =>
  fields.every((field) => {
    const values = valuesAt(document, field.segments);
    return field.conditions.every((condition) => matchesCondition(values, condition));
  });

/** The value a document sorts by: the smallest array element ascending, the largest descending. */
const sortValue = (document: Readonly<Record<string, unknown>>, key: SortKey): unknown => {
  const candidates = valuesAt(document, key.segments).flatMap((value) =>
    Array.isArray(value) ? (value.length > 0 ? value : [emptyArray]) : [value],
  );
  if (candidates.length === 0) return null;
  return candidates.reduce((best, candidate) =>
    compareValues(candidate, best) * key.direction < 0 ? candidate : best,
  );
};

/**
 * A comparator for Array.sort that orders documents as MongoDB's sort would.
 *
 * @example
 * documents.sort(compareDocuments(query.sort));
 */
export const compareDocuments =
  (sort: ReadonlyArray<SortKey>) =>
  (a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): number => {
    for (const key of sort) {
      const order = compareValues(sortValue(a, key), sortValue(b, key)) * key.direction;
      if (order !== 0) return order;
    }
    return 0;
  };
