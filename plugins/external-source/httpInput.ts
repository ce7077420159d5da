/**
 * Reading requests the same way in every route of this plugin: the caller first
 * (401/403 before anything else is looked at), then the JSON body, single-valued query
 * parameters and If-Match, each failing with a problem the shared handler renders.
 */
import { Effect } from "effect";
import type { HonoRequest } from "hono";
import { bodyLimit } from "hono/body-limit";
import { authenticate, PayloadTooLarge, type Principal, requireKind, ValidationFailed } from "../../core/index.ts";

const invalid = (field: string, reason: string) =>
  new ValidationFailed({ detail: "the request is invalid", errors: [{ field, reason }] });

/** Source definitions are small; a mapping of 50 keys fits well below this. */
export const maxBodyBytes = 64 * 1024;

/** Hono middleware refusing larger bodies with 413 problem+json. */
export const limitBody = bodyLimit({
  maxSize: maxBodyBytes,
  onError: () => {
    throw new PayloadTooLarge({ detail: `the body is larger than ${maxBodyBytes} bytes` });
  },
});

/**
 * @example
 * const { tenantId } = yield* callerOf(c.req, ["tenant"]);
 */
export const callerOf = <K extends Principal["kind"]>(request: HonoRequest, kinds: ReadonlyArray<K>) =>
  Effect.flatMap(authenticate(request.header("authorization")), (principal) => requireKind(principal, kinds));

/**
 * @example
 * const body = yield* decodeRequest(CreateSourceBody, yield* readJsonBody(c.req));
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
 * No query parameters are expected by these routes: any is refused rather than ignored.
 *
 * @example
 * yield* noQuery(c.req);
 */
export const noQuery = (request: HonoRequest): Effect.Effect<void, ValidationFailed> => {
  const names = Object.keys(request.queries());
  return names.length === 0 ? Effect.void : Effect.fail(invalid(names[0] ?? "", "unknown query parameter"));
};

/**
 * If-Match as a source version: absent, `*`, or `3` / `"3"` (the ETag sent).
 *
 * @example
 * yield* expectedVersionOf('"3"') // 3
 */
export const expectedVersionOf = (header: string | undefined): Effect.Effect<number | undefined, ValidationFailed> => {
  const value = header?.trim();
  if (value === undefined || value === "*") return Effect.succeed(undefined);
  const match = /^"?([1-9][0-9]{0,14})"?$/.exec(value);
  return match?.[1] === undefined
    ? Effect.fail(invalid("If-Match", 'expected a source version such as "3" (the ETag of the source)'))
    : Effect.succeed(Number(match[1]));
};

/** The ETag of a version. */
export const etagOf = (version: number): string => `"${version}"`;
