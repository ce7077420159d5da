/**
 * Which payload version a request speaks: 2 unless the path (/v1/telemetry/v1), the query
 * (?version=1) or the header (Anansky-Payload-Version: 1) says 1. Selectors that disagree
 * are refused rather than guessed between.
 */
import { Result } from "effect";
import { ValidationFailed } from "../../core/index.ts";

export type PayloadVersion = 1 | 2;

/** The header naming a payload version. */
export const payloadVersionHeader = "Anansky-Payload-Version";

export interface VersionSelectors {
  /** 1 on /v1/telemetry/v1. */
  readonly path: PayloadVersion | undefined;
  /** Every `version` query parameter. */
  readonly query: ReadonlyArray<string>;
  readonly header: string | undefined;
}

const versionOf = (text: string): PayloadVersion | undefined =>
  text.trim() === "1" ? 1 : text.trim() === "2" ? 2 : undefined;

/**
 * @example
 * payloadVersionOf({ path: undefined, query: ["1"], header: undefined }) // Result.succeed(1)
 */
export const payloadVersionOf = (selectors: VersionSelectors): Result.Result<PayloadVersion, ValidationFailed> => {
  const chosen: Array<{ readonly field: string; readonly version: PayloadVersion }> = [];
  const issues: Array<{ field: string; reason: string }> = [];
  if (selectors.path !== undefined) chosen.push({ field: "path", version: selectors.path });
  for (const value of selectors.query) {
    const version = versionOf(value);
    if (version === undefined)
      issues.push({ field: "version", reason: `unknown payload version ${JSON.stringify(value)}: use 1 or 2` });
    else chosen.push({ field: "version", version });
  }
  if (selectors.header !== undefined) {
    const version = versionOf(selectors.header);
    if (version === undefined) {
      issues.push({
        field: payloadVersionHeader,
        reason: `unknown payload version ${JSON.stringify(selectors.header)}: use 1 or 2`,
      });
    } else chosen.push({ field: payloadVersionHeader, version });
  }
  const versions = new Set(chosen.map((choice) => choice.version));
  if (versions.size > 1) {
    issues.push({
      field: chosen.map((choice) => choice.field).join(", "),
      reason: "the payload version selectors disagree",
    });
  }
  if (issues.length > 0)
    return Result.fail(new ValidationFailed({ detail: "the payload version is unclear", errors: issues }));
  return Result.succeed(chosen[0]?.version ?? 2);
};
