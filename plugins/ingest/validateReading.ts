/**
 * One item of a request, judged on its own: its shape (v1 or v2), its timestamp, and
 * whether the sending key may speak for its device. A batch keeps its valid items and
 * reports each invalid one by index.
 */
import { Result } from "effect";
import type { FieldIssue } from "../../core/index.ts";
import type { IngestLimits } from "./ingestLimits.ts";
import {
  type DecodedReading,
  decodeFlatReading,
  decodeReadingV2,
  type ReadingSchemas,
  type ReadingValue,
} from "./readingSchema.ts";
import { parseFlatTimestamp, parseReadingTimestamp, timestampOutsideWindow } from "./readingTimestamps.ts";

/** A reading ready to be recorded. */
export interface ValidReading {
  readonly index: number;
  readonly deviceId: string;
  readonly tsMs: number;
  /** False when the server's clock supplied the timestamp. */
  readonly tsGiven: boolean;
  readonly values: Readonly<Record<string, ReadingValue>>;
  readonly metadata: Readonly<Record<string, ReadingValue>> | undefined;
}

/** A refused item: `forbidden` when only the device was wrong for this key (403 rather than 400). */
export interface RejectedReading {
  readonly index: number;
  readonly errors: ReadonlyArray<FieldIssue>;
  readonly kind: "invalid" | "forbidden";
}

export type ReadingOutcome =
  | { readonly _tag: "Valid"; readonly reading: ValidReading }
  | { readonly _tag: "Rejected"; readonly rejection: RejectedReading };

/** The device key that sent the request. */
export interface Sender {
  readonly deviceId: string;
  readonly gatewayFor: ReadonlyArray<string>;
}

export interface ReadingContext {
  readonly version: 1 | 2;
  readonly schemas: ReadingSchemas;
  readonly limits: IngestLimits;
  readonly nowMs: number;
  readonly sender: Sender;
}

/**
 * Rejects item `index` with these issues.
 *
 * @example
 * rejected(3, [{ field: "(line)", reason: "malformed JSON" }])
 */
export const rejected = (
  index: number,
  errors: ReadonlyArray<FieldIssue>,
  kind: RejectedReading["kind"] = "invalid",
): ReadingOutcome => ({ _tag: "Rejected", rejection: { index, errors, kind } });

/**
 * Whether a key may send for a device: its own, or one it is the gateway for.
 *
 * @example
 * maySendFor({ deviceId: "gw-1", gatewayFor: ["pump-1"] }, "pump-1") // true
 */
export const maySendFor = (sender: Sender, deviceId: string): boolean =>
  deviceId === sender.deviceId || sender.gatewayFor.includes(deviceId);

const timestampOf = (decoded: DecodedReading, context: ReadingContext): Result.Result<number, string> => {
  if (decoded.ts === undefined) return Result.succeed(context.nowMs);
  const parsed = context.version === 1 ? parseFlatTimestamp(decoded.ts) : parseReadingTimestamp(decoded.ts);
  if (Result.isFailure(parsed)) return parsed;
  const outside = timestampOutsideWindow(parsed.success, context.nowMs, context.limits);
  return outside === undefined ? parsed : Result.fail(outside);
};

/**
 * Judges one item.
 *
 * @example
 * const outcome = validateReading({ values: { temp: 21.5 } }, 0, { version: 2, schemas, limits, nowMs, sender });
 * if (outcome._tag === "Valid") console.log(outcome.reading.deviceId); // the sender's device
 */
export const validateReading = (input: unknown, index: number, context: ReadingContext): ReadingOutcome => {
  const decoded =
    context.version === 1 ? decodeFlatReading(context.schemas, input) : decodeReadingV2(context.schemas, input);
  if (Result.isFailure(decoded)) return rejected(index, decoded.failure);
  const ts = timestampOf(decoded.success, context);
  if (Result.isFailure(ts)) {
    return rejected(index, [{ field: context.version === 1 ? "timestamp" : "ts", reason: ts.failure }]);
  }
  const deviceId = decoded.success.deviceId ?? context.sender.deviceId;
  if (!maySendFor(context.sender, deviceId)) {
    return rejected(
      index,
      [{ field: "deviceId", reason: `this key may not send for device ${deviceId}` }],
      "forbidden",
    );
  }
  return {
    _tag: "Valid",
    reading: {
      index,
      deviceId,
      tsMs: ts.success,
      tsGiven: decoded.success.ts !== undefined,
      values: decoded.success.values,
      metadata: decoded.success.metadata,
    },
  };
};
