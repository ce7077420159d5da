import { Schema } from "effect";

/**
 * The read-model database did not answer or refused the operation; retrying later may succeed.
 *
 * @example
 * Effect.catchTag("ReadModelStoreUnavailable", (error) => Effect.logWarning(error.reason));
 */
export class ReadModelStoreUnavailable extends Schema.TaggedError<ReadModelStoreUnavailable>()(
  "ReadModelStoreUnavailable",
  { operation: Schema.String, reason: Schema.String },
) {
  // Logs and causes show what failed and why, not only a stack.
  override get message(): string {
    return `${this.operation}: ${this.reason}`;
  }
}

/**
 * A read-model query outside the supported subset: an unknown `$` operator (operator
 * injection), an internal field, or an operand of the wrong kind. Routes map it to a 400.
 *
 * @example
 * Effect.catchTag("InvalidReadModelQuery", (error) => badRequest(error.reason));
 */
export class InvalidReadModelQuery extends Schema.TaggedError<InvalidReadModelQuery>()("InvalidReadModelQuery", {
  reason: Schema.String,
}) {}

/**
 * A write broke a unique index of the collection: the projection produced two documents
 * with the same unique value. Retrying does not help until the projection is fixed.
 *
 * @example
 * Effect.catchTag("ReadModelConstraintViolation", (error) => Effect.logError(error.reason));
 */
export class ReadModelConstraintViolation extends Schema.TaggedError<ReadModelConstraintViolation>()(
  "ReadModelConstraintViolation",
  { collection: Schema.String, reason: Schema.String },
) {}
