/**
 * Reading timestamps: epoch milliseconds or ISO 8601, parsed strictly (Date.parse alone
 * accepts "March 7" and rolls 2024-02-30 over to March 1), then held to a window around
 * server time so a wrong device clock is caught at the door.
 */
import { Result } from "effect";
import type { IngestLimits } from "./ingestLimits.ts";

const isoPattern = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;

// The Date range ECMAScript supports: ±100,000,000 days around 1970.
const maxEpochMs = 8.64e15;

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * Milliseconds since 1970 for an ISO 8601 date-time. v2 requires a zone ("Z" or "+02:00");
 * v1 (the Python system) also sent zone-less times in UTC and a space for the "T".
 *
 * @example
 * parseIsoTimestamp("2025-03-01T10:00:00.250+01:00", { zoneRequired: true }) // Result.succeed(1740819600250)
 */
export const parseIsoTimestamp = (
  text: string,
  options: { readonly zoneRequired: boolean },
): Result.Result<number, string> => {
  const expected = options.zoneRequired
    ? "must be epoch milliseconds or an ISO 8601 date-time with a zone, like 2025-03-01T10:00:00Z"
    : "must be epoch seconds or milliseconds, or an ISO 8601 date-time like 2025-03-01T10:00:00Z";
  const match = isoPattern.exec(text);
  if (match === null) return Result.fail(expected);
  const [, year = "", month = "", day = "", hours = "", minutes = "", seconds = "0", , zone] = match;
  if (options.zoneRequired && (zone === undefined || text.includes(" "))) return Result.fail(expected);
  const calendar =
    Number(month) >= 1 &&
    Number(month) <= 12 &&
    Number(day) >= 1 &&
    Number(day) <= daysInMonth(Number(year), Number(month)) &&
    Number(hours) <= 23 &&
    Number(minutes) <= 59 &&
    Number(seconds) <= 59;
  if (!calendar) return Result.fail(`${JSON.stringify(text)} is not a calendar date-time`);
  const normalized = text.replace(" ", "T");
  const millis = Date.parse(zone === undefined ? `${normalized}Z` : normalized);
  return Number.isNaN(millis) ? Result.fail(expected) : Result.succeed(millis);
};

/**
 * A v2 `ts`: epoch milliseconds (integer) or ISO 8601 with a zone.
 *
 * @example
 * parseReadingTimestamp(1740823200000) // Result.succeed(1740823200000)
 */
export const parseReadingTimestamp = (value: number | string): Result.Result<number, string> => {
  if (typeof value === "string") return parseIsoTimestamp(value, { zoneRequired: true });
  if (!Number.isInteger(value) || Math.abs(value) > maxEpochMs) {
    return Result.fail("must be whole epoch milliseconds or an ISO 8601 date-time with a zone");
  }
  return Result.succeed(value);
};

// Epoch seconds stay below 1e11 until the year 5138; as milliseconds that is 1973.
const epochSecondsBelow = 1e11;

/**
 * A v1 `timestamp`: the Python system sent `time.time()` seconds (possibly fractional),
 * milliseconds, or ISO strings, zone-less meaning UTC.
 *
 * @example
 * parseFlatTimestamp(1740823200.5) // Result.succeed(1740823200500)
 */
export const parseFlatTimestamp = (value: number | string): Result.Result<number, string> => {
  if (typeof value === "string") return parseIsoTimestamp(value, { zoneRequired: false });
  if (!Number.isFinite(value) || value < 0 || value > maxEpochMs) {
    return Result.fail("must be epoch seconds or milliseconds, or an ISO 8601 date-time");
  }
  return Result.succeed(Math.round(value < epochSecondsBelow ? value * 1000 : value));
};

const describeDuration = (ms: number): string => {
  const units: ReadonlyArray<readonly [number, string]> = [
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
    [1_000, "second"],
  ];
  const [size, name] = units.find(([unit]) => ms % unit === 0 && ms >= unit) ?? [1, "millisecond"];
  const count = ms / size;
  return `${count} ${name}${count === 1 ? "" : "s"}`;
};

/**
 * Why a timestamp is outside the accepted window, or undefined when it is inside.
 *
 * @example
 * timestampOutsideWindow(Date.now() + 3_600_000, Date.now(), defaultIngestLimits) // "is more than 5 minutes in the future ..."
 */
export const timestampOutsideWindow = (
  tsMs: number,
  nowMs: number,
  limits: Pick<IngestLimits, "maxFutureSkewMs" | "maxAgeMs">,
): string | undefined => {
  const server = `(server time ${new Date(nowMs).toISOString()})`;
  if (tsMs > nowMs + limits.maxFutureSkewMs) {
    return `is more than ${describeDuration(limits.maxFutureSkewMs)} in the future ${server}`;
  }
  if (tsMs < nowMs - limits.maxAgeMs) {
    const hint = tsMs >= 0 && tsMs < epochSecondsBelow ? "; it looks like epoch seconds, ts takes milliseconds" : "";
    return `is older than ${describeDuration(limits.maxAgeMs)} ${server}${hint}`;
  }
  return undefined;
};
