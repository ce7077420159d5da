/**
 * Reading a request the same way in every alert-rules route: the caller (a tenant key,
 * checked before anything else), the JSON body, single-valued query parameters and
 * If-Match, each failing with a problem the shared handler renders.
 */
import { Effect } from "effect";
import type { HonoRequest } from "hono";
import { authenticate, requireKind, ValidationFailed } from "../../core/index.ts";

const invalid = (field: string, reason: string) =>
  new ValidationFailed({ detail: "the request is invalid", errors: [{ field, reason }] });

/**
 * The calling tenant (401 without a valid credential, 403 for a device key or the admin token).
 *
 * @example
 * const { tenantId, keyId } = yield* callingTenant(c.req);
 */
export const callingTenant = (request: HonoRequest) =>
  Effect.flatMap(authenticate(request.header("authorization")), (principal) => requireKind(principal, ["tenant"]));

/**
 * The body parsed as JSON (400 when it is not JSON).
 *
 * @example
 * const body = yield* decodeRequest(CreateRuleBody, yield* jsonBodyOf(c.req));
 */
export const jsonBodyOf = (request: HonoRequest): Effect.Effect<unknown, ValidationFailed> =>
  Effect.tryPromise({ try: () => request.text(), catch: () => invalid("(body)", "the body could not be read") }).pipe(
    Effect.flatMap((text) =>
      Effect.try({
        try: () => (text.trim() === "" ? {} : (JSON.parse(text) as unknown)),
        catch: () => invalid("(body)", "the body is not valid JSON"),
      }),
    ),
  );

/**
 * The query parameters, each given at most once.
 *
 * @example
 * const query = yield* decodeRequest(ListAlertsQuery, yield* singleQueryOf(c.req));
 */
export const singleQueryOf = (request: HonoRequest): Effect.Effect<Record<string, string>, ValidationFailed> => {
  const entries = Object.entries(request.queries());
  const repeated = entries.find(([, values]) => values.length !== 1);
  if (repeated !== undefined) return Effect.fail(invalid(repeated[0], "given more than once"));
  return Effect.succeed(Object.fromEntries(entries.map(([name, values]) => [name, values[0] ?? ""])));
};

/**
 * If-Match as an expected version: absent (undefined: any version), `*`, `3` or `"3"`.
 *
 * @example
 * yield* expectedVersionOf('"3"') // 3
 */
export const expectedVersionOf = (header: string | undefined): Effect.Effect<number | undefined, ValidationFailed> => {
  if (header === undefined || header.trim() === "*") return Effect.succeed(undefined);
  const match = /^"?([1-9][0-9]{0,14})"?$/.exec(header.trim());
  return match?.[1] === undefined
    ? Effect.fail(invalid("If-Match", 'expected a version such as "3" (the ETag of the resource)'))
    : Effect.succeed(Number(match[1]));
};

/**
 * The ETag of a version.
 *
 * @example
 * etagOf(3) // "\"3\""
 */
export const etagOf = (version: number): string => `"${version}"`;

const toBase64Url = (text: string) => btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const fromBase64Url = (text: string) => atob(text.replace(/-/g, "+").replace(/_/g, "/"));

/**
 * An opaque page cursor: the sort key of the last item returned.
 *
 * @example
 * encodeCursor("0193…") // "MDE5M…"
 */
export const encodeCursor = (after: string): string => toBase64Url(JSON.stringify({ a: after }));

/**
 * The position a cursor carries (400 when it is not one this API returned).
 *
 * @example
 * const after = yield* decodeCursor(query.cursor);
 */
export const decodeCursor = (cursor: string | undefined): Effect.Effect<string | undefined, ValidationFailed> => {
  if (cursor === undefined) return Effect.succeed(undefined);
  return Effect.try({
    try: () => {
      const parsed = JSON.parse(fromBase64Url(cursor)) as { a?: unknown };
      if (typeof parsed.a !== "string") throw new Error("no position");
      return parsed.a;
    },
    catch: () => invalid("cursor", "is not a cursor this API returned"),
  });
};
