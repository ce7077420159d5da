/**
 * The ingest plugin's own failures, beyond core's HTTP errors. Each carries its HTTP
 * `status` and a `message`, which the shared problem+json handler uses for status and title.
 */
import { Schema } from "effect";

/**
 * The body is neither JSON nor NDJSON (or not UTF-8 encoded).
 *
 * @example
 * new UnsupportedMediaType({ message: "text/plain is not accepted", status: 415 })
 */
export class UnsupportedMediaType extends Schema.TaggedError<UnsupportedMediaType>()("UnsupportedMediaType", {
  message: Schema.String,
  status: Schema.Literal(415),
}) {}

/**
 * An Idempotency-Key was sent again with a different request: the first response is kept,
 * and nothing of the second is stored (RFC draft "The Idempotency-Key HTTP Header Field": 422).
 *
 * @example
 * new IdempotencyKeyReused({ message: "Idempotency-Key abc was used for another request", status: 422 })
 */
export class IdempotencyKeyReused extends Schema.TaggedError<IdempotencyKeyReused>()("IdempotencyKeyReused", {
  message: Schema.String,
  status: Schema.Literal(422),
}) {}
