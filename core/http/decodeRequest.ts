/**
 * Decodes request input with the same Schema that documents it: every issue is reported
 * with its field path, and unknown fields are rejected.
 */
import { Effect, Schema, SchemaIssue } from "effect";
import { type FieldIssue, ValidationFailed } from "./Errors.ts";

const formatter = SchemaIssue.makeFormatterStandardSchemaV1();

/** Turns a Schema error into field issues (`readings.3.values.temp`: "Expected a finite number"). */
export const fieldIssues = (error: Schema.SchemaError, pathPrefix = ""): Array<FieldIssue> =>
  formatter(error.issue).issues.map((issue) => ({
    field: [pathPrefix, ...(issue.path ?? []).map(String)].filter((part) => part !== "").join(".") || "(body)",
    reason: issue.message,
  }));

/**
 * @example
 * const body = yield* decodeRequest(RegisterDevice, yield* readJson(c));
 */
export const decodeRequest = <S extends Schema.Codec<unknown, unknown>>(schema: S, input: unknown, pathPrefix = "") =>
  Schema.decodeUnknownEffect(schema)(input, { errors: "all", onExcessProperty: "error" }).pipe(
    Effect.mapError(
      (error) =>
        new ValidationFailed({
          detail: "the request does not match its schema",
          errors: fieldIssues(error, pathPrefix),
        }),
    ),
  ) as Effect.Effect<S["Type"], ValidationFailed, S["DecodingServices"]>;
