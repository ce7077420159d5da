/**
 * What the alert-rules routes read of a request beyond core/http/requestInput.ts: the
 * caller is always a tenant, an empty body is `{}`, `If-Match: *` means any version, and
 * page cursors.
 */
import { Effect } from "effect";
import type { HonoRequest } from "hono";
import { callerOf, ifMatchVersion, readJsonBody, ValidationFailed } from "../../core/index.ts";

const invalid = (field: string, reason: string) =>
  new ValidationFailed({ detail: "the request is invalid", errors: [{ field, reason }] });

/**
 * The calling tenant (401 without a valid credential, 403 for a device key or the admin token).
 *
 * @example
 * const { tenantId, keyId } = yield* callingTenant(c.req);
 */
export const callingTenant = (request: HonoRequest) => callerOf(request, ["tenant"]);

/**
 * The body parsed as JSON (400 when it is not JSON); an empty body is `{}`.
 *
 * @example
 * const body = yield* decodeRequest(CreateRuleBody, yield* jsonBodyOf(c.req));
 */
export const jsonBodyOf = (request: HonoRequest): Effect.Effect<unknown, ValidationFailed> =>
  readJsonBody(request, { emptyAs: {} });

/**
 * If-Match as an expected rule version: absent or `*` (undefined: any version), `3` or `"3"`.
 *
 * @example
 * yield* expectedVersionOf('"3"') // 3
 */
export const expectedVersionOf = (header: string | undefined): Effect.Effect<number | undefined, ValidationFailed> =>
  Effect.map(ifMatchVersion(header, "rule"), (version) => (version === "*" ? undefined : version));

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
