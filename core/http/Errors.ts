import { Schema } from "effect";

const FieldIssue = Schema.Struct({ field: Schema.String, reason: Schema.String });
export type FieldIssue = typeof FieldIssue.Type;

/** The request is malformed: every offending field with its reason. */
export class ValidationFailed extends Schema.TaggedError<ValidationFailed>()("ValidationFailed", {
  detail: Schema.String,
  errors: Schema.Array(FieldIssue),
}) {}

/** No or bad credentials. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", { detail: Schema.String }) {}

/** Valid credentials that may not do this (another tenant, a revoked key, a missing scope). */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", { detail: Schema.String }) {}

export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", { detail: Schema.String }) {}

/** The resource changed since the caller read it (expected version mismatch, duplicate). */
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", { detail: Schema.String }) {}

export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", {
  detail: Schema.String,
}) {}

export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  detail: Schema.String,
  retryAfterSeconds: Schema.Number,
}) {}
