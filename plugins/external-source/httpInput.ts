/**
 * What this plugin's routes read of a request beyond core/http/requestInput.ts: a body
 * size limit, no query parameters, and `If-Match: *` as any version.
 */
import { Effect } from "effect";
import type { HonoRequest } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ifMatchVersion, PayloadTooLarge, ValidationFailed } from "../../core/index.ts";

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
 * If-Match as a source version: absent or `*` (undefined: any version), `3` or `"3"`.
 *
 * @example
 * yield* expectedVersionOf('"3"') // 3
 */
export const expectedVersionOf = (header: string | undefined): Effect.Effect<number | undefined, ValidationFailed> =>
  Effect.map(ifMatchVersion(header, "source"), (version) => (version === "*" ? undefined : version));
