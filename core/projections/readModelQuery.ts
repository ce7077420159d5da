/**
 * Validation of read-model queries, shared by both ReadModelStore layers: a filter, sort or
 * paging option outside the documented subset (see ReadModelFilter) is refused before it
 * reaches a database, and what passes is rebuilt from validated parts only, so no stray
 * `$` operator from a URL can reach MongoDB.
 */
import { Effect, Predicate, Result } from "effect";
import { InvalidReadModelQuery } from "./Errors.ts";
import { type FindOptions, ReadModelInternalKeys, type ReadModelView, type StoredDocument } from "./ReadModelStore.ts";

export type Scalar = string | number | boolean | null | Date;

export type ComparisonOperator = "$eq" | "$ne" | "$gt" | "$gte" | "$lt" | "$lte";

export type Condition =
  | { readonly op: ComparisonOperator; readonly value: Scalar }
  | { readonly op: "$in"; readonly values: ReadonlyArray<Scalar> }
  | { readonly op: "$exists"; readonly value: boolean };

export interface FieldQuery {
  readonly path: string;
  readonly segments: ReadonlyArray<string>;
  readonly conditions: ReadonlyArray<Condition>;
}

export interface SortKey {
  readonly path: string;
  readonly segments: ReadonlyArray<string>;
  readonly direction: 1 | -1;
}

/** A validated find: every part checked, `_id` appended to the sort as the tie-breaker. */
export interface ValidatedFind {
  readonly fields: ReadonlyArray<FieldQuery>;
  readonly sort: ReadonlyArray<SortKey>;
  readonly skip: number;
  readonly limit: number | undefined;
}

const comparisonOperators = new Set<string>(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte"]);
const internalKeys = new Set<string>(Object.values(ReadModelInternalKeys));
const maxPathLength = 200;

const isScalar = (value: unknown): value is Scalar =>
  value === null ||
  Predicate.isString(value) ||
  Predicate.isBoolean(value) ||
  (Predicate.isNumber(value) && Number.isFinite(value)) ||
  (Predicate.isDate(value) && !Number.isNaN(value.getTime()));

const fieldPath = (path: string): Result.Result<ReadonlyArray<string>, string> => {
  const segments = path.split(".");
  if (path.length > maxPathLength) return Result.fail(`field path longer than ${maxPathLength} characters`);
  if (path.startsWith("$")) return Result.fail(`operator ${path} is not supported`);
  if (segments.some((segment) => segment === "" || segment.startsWith("$"))) {
    return Result.fail(`invalid field path ${JSON.stringify(path)}`);
  }
  if (internalKeys.has(segments[0] ?? "")) return Result.fail(`field ${segments[0]} is internal`);
  return Result.succeed(segments);
};

const conditionOf = (path: string, op: string, operand: unknown): Result.Result<Condition, string> => {
  if (comparisonOperators.has(op)) {
    return isScalar(operand)
      ? Result.succeed({ op: op as ComparisonOperator, value: operand })
      : Result.fail(`${path}: ${op} takes a string, finite number, boolean, null or Date`);
  }
  if (op === "$in") {
    return Array.isArray(operand) && operand.every(isScalar)
      ? Result.succeed({ op, values: [...operand] })
      : Result.fail(`${path}: $in takes an array of scalars`);
  }
  if (op === "$exists") {
    return Predicate.isBoolean(operand)
      ? Result.succeed({ op, value: operand })
      : Result.fail(`${path}: $exists takes a boolean`);
  }
  return Result.fail(`${path}: operator ${op} is not supported`);
};

const fieldQueryOf = (path: string, value: unknown): Result.Result<FieldQuery, string> => {
  const segments = fieldPath(path);
  if (Result.isFailure(segments)) return Result.fail(segments.failure);
  if (isScalar(value)) return Result.succeed({ path, segments: segments.success, conditions: [{ op: "$eq", value }] });
  if (!Predicate.isObject(value) || Array.isArray(value) || Predicate.isDate(value)) {
    return Result.fail(`${path}: expected a scalar or an object of operators`);
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return Result.fail(`${path}: empty operator object`);
  const conditions: Array<Condition> = [];
  for (const [op, operand] of entries) {
    if (!op.startsWith("$")) return Result.fail(`${path}: embedded documents are not supported, use dotted paths`);
    const condition = conditionOf(path, op, operand);
    if (Result.isFailure(condition)) return Result.fail(condition.failure);
    conditions.push(condition.success);
  }
  return Result.succeed({ path, segments: segments.success, conditions });
};

const sortOf = (sort: FindOptions["sort"]): Result.Result<ReadonlyArray<SortKey>, string> => {
  const keys: Array<SortKey> = [];
  for (const [path, direction] of Object.entries(sort ?? {})) {
    const segments = path === "_id" ? Result.succeed(["_id"]) : fieldPath(path);
    if (Result.isFailure(segments)) return Result.fail(`sort: ${segments.failure}`);
    if (direction !== 1 && direction !== -1) return Result.fail(`sort: ${path} must be 1 or -1`);
    keys.push({ path, segments: segments.success, direction });
  }
  if (!keys.some((key) => key.path === "_id")) keys.push({ path: "_id", segments: ["_id"], direction: 1 });
  return Result.succeed(keys);
};

const isCount = (value: unknown, minimum: number): value is number =>
  Predicate.isNumber(value) && Number.isSafeInteger(value) && value >= minimum;

/**
 * Checks a filter and find options against the supported subset.
 *
 * @example
 * const query = yield* validateFind({ status: { $in: ["online", "idle"] } }, { sort: { name: 1 }, limit: 20 });
 */
export const validateFind = (
  filter: Readonly<Record<string, unknown>>,
  options: FindOptions = {},
): Effect.Effect<ValidatedFind, InvalidReadModelQuery> => {
  const invalid = (reason: string) => Effect.fail(new InvalidReadModelQuery({ reason }));
  if (!Predicate.isObject(filter) || Array.isArray(filter)) return invalid("the filter must be an object");
  const fields: Array<FieldQuery> = [];
  for (const [path, value] of Object.entries(filter)) {
    const field = fieldQueryOf(path, value);
    if (Result.isFailure(field)) return invalid(field.failure);
    fields.push(field.success);
  }
  const sort = sortOf(options.sort);
  if (Result.isFailure(sort)) return invalid(sort.failure);
  if (options.skip !== undefined && !isCount(options.skip, 0)) return invalid("skip must be an integer >= 0");
  if (options.limit !== undefined && !isCount(options.limit, 1)) return invalid("limit must be an integer >= 1");
  return Effect.succeed({ fields, sort: sort.success, skip: options.skip ?? 0, limit: options.limit });
};

/**
 * Checks index keys like sort keys (valid paths, 1 or -1).
 *
 * @example
 * yield* validateIndexKeys({ tenantId: 1, name: 1 });
 */
export const validateIndexKeys = (
  keys: Readonly<Record<string, 1 | -1>>,
): Effect.Effect<void, InvalidReadModelQuery> => {
  if (Object.keys(keys).length === 0) return Effect.fail(new InvalidReadModelQuery({ reason: "index without keys" }));
  const sort = sortOf(keys);
  return Result.isFailure(sort)
    ? Effect.fail(new InvalidReadModelQuery({ reason: `index ${sort.failure}` }))
    : Effect.void;
};

/**
 * The route's view of a stored document: none for a tombstone, internal keys stripped.
 *
 * @example
 * toView("d1", { name: "Pump", _applied: { d1: 3 } }) // { _id: "d1", name: "Pump" }
 */
export const toView = (id: string, stored: StoredDocument): ReadModelView | undefined => {
  if (stored[ReadModelInternalKeys.deleted] === true) return undefined;
  const view: Record<string, unknown> = { _id: id };
  for (const [key, value] of Object.entries(stored)) if (!internalKeys.has(key) && key !== "_id") view[key] = value;
  return view as ReadModelView;
};

/**
 * The first key (at any depth) MongoDB would refuse to store: containing "." or starting
 * with "$". Both layers die on it, so a projection bug shows up the same in unit tests.
 *
 * @example
 * invalidDocumentKey({ a: { "b.c": 1 } }) // "a.b.c"
 */
export const invalidDocumentKey = (value: unknown, prefix = ""): string | undefined => {
  if (Array.isArray(value)) {
    for (const element of value) {
      const found = invalidDocumentKey(element, prefix);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!Predicate.isObject(value) || Predicate.isDate(value)) return undefined;
  for (const [key, nested] of Object.entries(value)) {
    if (key.includes(".") || key.startsWith("$") || (prefix === "" && key === "_id")) return `${prefix}${key}`;
    const found = invalidDocumentKey(nested, `${prefix}${key}.`);
    if (found !== undefined) return found;
  }
  return undefined;
};
