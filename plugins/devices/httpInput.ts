/**
 * Reading a request the same way in every route: the caller (authenticated, of the
 * right kind, before anything else is looked at), the JSON body, single-valued query
 * parameters and If-Match, each failing with a problem the shared handler renders.
 */
import { Effect } from "effect";
import type { HonoRequest } from "hono";
import { authenticate, type Principal, requireKind, ValidationFailed } from "../../core/index.ts";
import type { ExpectedDeviceVersion } from "./deviceCommands.ts";

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
 * The body parsed as JSON (400 when it is not JSON).
 *
 * @example
 * const body = yield* decodeRequest(RegisterDeviceBody, yield* readJsonBody(c.req));
 */
export const readJsonBody = (request: HonoRequest): Effect.Effect<unknown, ValidationFailed> =>
  Effect.tryPromise({ try: () => request.text(), catch: () => invalid("(body)", "the body could not be read") }).pipe(
    Effect.flatMap((text) =>
      Effect.try({
        try: () => JSON.parse(text) as unknown,
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
 * If-Match as an expected device version: absent, `*`, or the version as `3` or `"3"`
 * (the ETag the API sends).
 *
 * @example
 * yield* expectedVersionOf('"3"') // 3
 */
export const expectedVersionOf = (
  header: string | undefined,
): Effect.Effect<ExpectedDeviceVersion, ValidationFailed> => {
  if (header === undefined) return Effect.succeed(undefined);
  const value = header.trim();
  if (value === "*") return Effect.succeed("*");
  const match = /^"?([1-9][0-9]{0,14})"?$/.exec(value);
  return match?.[1] === undefined
    ? Effect.fail(invalid("If-Match", 'expected a device version such as "3" (the ETag of the device)'))
    : Effect.succeed(Number(match[1]));
};

/**
 * The ETag of a device at a version.
 *
 * @example
 * c.header("etag", etagOf(device.version)) // "\"3\""
 */
export const etagOf = (version: number): string => `"${version}"`;
