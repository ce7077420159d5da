import { Schema } from "effect";

/** Every missing or invalid environment variable, reported together at start. */
export class ConfigInvalid extends Schema.TaggedError<ConfigInvalid>()("ConfigInvalid", {
  issues: Schema.Array(Schema.Struct({ variable: Schema.String, message: Schema.String })),
}) {
  override get message(): string {
    return `invalid configuration:\n${this.issues.map((i) => `  ${i.variable}: ${i.message}`).join("\n")}`;
  }
}
