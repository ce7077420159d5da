/**
 * Reading a request the same way in every plugin's routes: the caller (authenticated, of
 * the right kind, before anything else is looked at), the JSON body, single-valued query
 * parameters and If-Match, each failing with a problem the shared handler renders.
 */
import { Effect } from "effect";
import type { HonoRequest } from "hono";
import type { Principal } from "../auth/ApiKeys.ts";
import { authenticate, requireKind } from "../auth/authenticate.ts";
import { ValidationFailed } from "./Errors.ts";

const invalid = (field: string, reason: string) =>
  new ValidationFailed({ detail: "the request is invalid", errors: [{ field, reason }] });

/**
 * The caller, if its credential is valid (401) and of one of these kinds (403).
 *
 * @example
 * const tenant = yield* callerOf(c.req, ["tenant"]); // tenant.tenantId scopes everything
 */
export const callerOf = <K extends Principal["kind"]>(request: HonoRequest, kinds: ReadonlyArray<K>) =>
  Effect.flatMap(authenticate(request.header("authorization")), (principal) => requireKind(principal, kinds));

/**
 * The body parsed as JSON (400 when it is not JSON). With `emptyAs`, an empty body stands
 * for that value (routes whose every field is optional).
 *
 * @example
 * const body = yield* decodeRequest(RegisterDeviceBody, yield* readJsonBody(c.req));
 */
export const readJsonBody = (
  request: HonoRequest,
  options: { readonly emptyAs?: unknown } = {},
): Effect.Effect<unknown, ValidationFailed> =>
  Effect.tryPromise({ try: () => request.text(), catch: () => invalid("(body)", "the body could not be read") }).pipe(
    Effect.flatMap((text) =>
      Effect.try({
        try: () => ("emptyAs" in options && text.trim() === "" ? options.emptyAs : (JSON.parse(text) as unknown)),
        catch: () => invalid("(body)", "the body is not valid JSON"),
      }),
    ),
  );

/**
 * The query parameters, each given at most once (400 otherwise: `?tag=a&tag=b` is
 * ambiguous, and silently taking the first would hide a client bug).
 *
 * @example
 * const query = yield* decodeRequest(ListDevicesQuery, yield* singleValuedQuery(c.req));
 */
export const singleValuedQuery = (request: HonoRequest): Effect.Effect<Record<string, string>, ValidationFailed> => {
  const entries = Object.entries(request.queries());
  const repeated = entries.find(([, values]) => values.length !== 1);
  if (repeated !== undefined) return Effect.fail(invalid(repeated[0], "given more than once"));
  // fromEntries defines own keys: `?__proto__=x` stays a (refused) parameter.
  return Effect.succeed(Object.fromEntries(entries.map(([name, values]) => [name, values[0] ?? ""])));
};

/**
 * If-Match as a version: absent (undefined), `*`, or the version as `3` or `"3"` (the ETag
 * the API sends); anything else is a 400 naming what the ETag belongs to.
 *
 * @example
 * yield* ifMatchVersion('"3"', "device") // 3
 */
export const ifMatchVersion = (
  header: string | undefined,
  resource: string,
): Effect.Effect<number | "*" | undefined, ValidationFailed> => {
  if (header === undefined) return Effect.succeed(undefined);
  const value = header.trim();
  if (value === "*") return Effect.succeed("*");
  const match = /^"?([1-9][0-9]{0,14})"?$/.exec(value);
  return match?.[1] === undefined
    ? Effect.fail(invalid("If-Match", `expected a ${resource} version such as "3" (the ETag of the ${resource})`))
    : Effect.succeed(Number(match[1]));
};

/**
 * The ETag of a version.
 *
 * @example
 * c.header("etag", etagOf(device.version)) // "\"3\""
 */
export const etagOf = (version: number): string => `"${version}"`;
