/**
 * One place maps failures to RFC 9457 problem+json: every route's typed errors, the
 * store's and bus's unavailability, and anything unexpected (500, no internals leaked).
 */
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import type { FieldIssue } from "./Errors.ts";

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string | undefined;
  readonly instance?: string | undefined;
  readonly errors?: ReadonlyArray<FieldIssue> | undefined;
}

const problemTypes: Readonly<Record<string, { status: number; title: string }>> = {
  ValidationFailed: { status: 400, title: "The request is invalid" },
  EventDecodeError: { status: 400, title: "The request is invalid" },
  Unauthorized: { status: 401, title: "Authentication required" },
  Forbidden: { status: 403, title: "Not allowed" },
  NotFound: { status: 404, title: "Not found" },
  DeadLetterNotFound: { status: 404, title: "Not found" },
  Conflict: { status: 409, title: "Conflict" },
  ConcurrencyError: { status: 409, title: "The resource changed meanwhile" },
  PayloadTooLarge: { status: 413, title: "Payload too large" },
  UnsupportedMediaType: { status: 415, title: "Unsupported media type" },
  IdempotencyKeyReused: { status: 422, title: "Idempotency-Key reused" },
  RateLimited: { status: 429, title: "Too many requests" },
  EventStoreUnavailable: { status: 503, title: "The event store is unavailable" },
  EventBusUnavailable: { status: 503, title: "The message broker is unavailable" },
  ReadModelStoreUnavailable: { status: 503, title: "The read-model store is unavailable" },
  InvalidReadModelQuery: { status: 400, title: "The request is invalid" },
};

const slug = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/(^-|-$)/g, "");

/**
 * Builds a problem+json response.
 *
 * @example
 * return problemResponse(c, { status: 404, title: "Not found", detail: "no device d1" });
 */
export const problemResponse = (
  c: Context,
  problem: Omit<Problem, "type"> & { readonly type?: string | undefined },
  headers: Record<string, string> = {},
): Response =>
  new Response(
    JSON.stringify({
      type: problem.type ?? `urn:anansky:problem:${slug(problem.title)}`,
      instance: c.req.path,
      ...problem,
    }),
    { status: problem.status, headers: { "content-type": "application/problem+json", ...headers } },
  );

const tagOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
    ? error._tag
    : undefined;

/** The Hono error handler every app installs (`app.onError(problemErrorHandler)`). */
export const problemErrorHandler: ErrorHandler = (error, c) => {
  const tag = tagOf(error);
  const known = tag === undefined ? undefined : problemTypes[tag];
  if (known === undefined) {
    // Hono's own HTTPException (e.g. from body-limit) carries a status.
    const status = (error as { status?: unknown }).status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      return problemResponse(c, { status, title: error.message || "Bad request" });
    }
    console.error(JSON.stringify({ level: "error", msg: "unhandled error", path: c.req.path, error: String(error) }));
    return problemResponse(c, { status: 500, title: "Internal error" });
  }
  const fields = error as {
    detail?: string;
    reason?: string;
    errors?: ReadonlyArray<FieldIssue>;
    retryAfterSeconds?: number;
    expectedVersion?: number | "any";
    actualVersion?: number;
  };
  const versionDetail =
    fields.actualVersion === undefined
      ? undefined
      : `the resource is at version ${fields.actualVersion}, not ${fields.expectedVersion}`;
  const headers: Record<string, string> =
    fields.retryAfterSeconds === undefined
      ? {}
      : { "retry-after": String(Math.max(1, Math.ceil(fields.retryAfterSeconds))) };
  return problemResponse(
    c,
    {
      status: known.status,
      title: known.title,
      detail: fields.detail ?? fields.reason ?? versionDetail ?? error.message,
      errors: fields.errors,
    },
    headers,
  );
};

export const problemNotFoundHandler: NotFoundHandler = (c) =>
  problemResponse(c, { status: 404, title: "Not found", detail: `no route for ${c.req.method} ${c.req.path}` });
