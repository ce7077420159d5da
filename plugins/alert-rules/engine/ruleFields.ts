/**
 * The validated building blocks of alert rules: value references, comparison operators,
 * severities and window sizes, with the limits that keep each (rule, device) state small.
 */
import { Schema } from "effect";

/** The longest time window a condition may look back over: 7 days. */
export const maxWindowSeconds = 7 * 24 * 60 * 60;
/** The most readings a window holds; time windows are capped at this many samples too. */
export const maxWindowReadings = 10_000;
/** How deep `and` / `or` / `not` may nest: a leaf condition at the top has depth 1. */
export const maxConditionDepth = 8;
/** How many conditions one tree (the raise, clear or escalation condition) may hold. */
export const maxConditionsPerTree = 64;
/** How many conditions one `and` / `or` may combine. */
export const maxCombinedConditions = 16;

const keyPattern = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * A reading or enrichment key: 1-64 letters, digits or `_ . -`.
 *
 * @example
 * Schema.decodeUnknownSync(Key)("cpu.load") // "cpu.load"
 */
export const Key = Schema.String.check(
  Schema.isPattern(keyPattern, { message: "keys are 1-64 letters, digits or _ . -" }),
);

/**
 * A value a condition looks at: `reading` values come from the device, `enrichment` from TelemetryEnriched.
 *
 * @example
 * const outside: ValueRef = { source: "enrichment", key: "outside_temp" };
 */
export const ValueRef = Schema.Struct({ source: Schema.Literals(["reading", "enrichment"]), key: Key });
export type ValueRef = typeof ValueRef.Type;

/**
 * What a reading or an enrichment carries per key.
 *
 * @example
 * const values: Record<string, ReadingValue> = { temp: 21.5, door: "open", alarm: false };
 */
export const ReadingValue = Schema.Union([Schema.Finite, Schema.String, Schema.Boolean]);
export type ReadingValue = typeof ReadingValue.Type;

/**
 * A value a condition observed (null: nothing to observe yet): what alerts report as value and peak.
 *
 * @example
 * const peak: ObservedValue = 91.5;
 */
export const ObservedValue = Schema.Union([Schema.Finite, Schema.String, Schema.Boolean, Schema.Null]);
export type ObservedValue = typeof ObservedValue.Type;

/**
 * Comparison operators; `>`, `>=`, `<`, `<=` compare numbers only.
 *
 * @example
 * const op: Op = ">=";
 */
export const Op = Schema.Literals([">", ">=", "<", "<=", "==", "!="]);
export type Op = typeof Op.Type;

/**
 * Alert severities, most severe first.
 *
 * @example
 * const severity: Severity = "major";
 */
export const Severity = Schema.Literals(["critical", "major", "minor", "warning", "info"]);
export type Severity = typeof Severity.Type;

const severityOrder: ReadonlyArray<Severity> = ["info", "warning", "minor", "major", "critical"];

/**
 * Orders severities from info (0) to critical (4).
 *
 * @example
 * severityRank("critical") > severityRank("major") // true
 */
export const severityRank = (severity: Severity): number => severityOrder.indexOf(severity);

/**
 * Seconds as whole milliseconds: every duration is turned into ms this way only, so the
 * instant a window or a silence ends is computed the same way everywhere.
 *
 * @example
 * secondsToMs(0.3) // 300
 */
export const secondsToMs = (seconds: number): number => Math.round(seconds * 1000);

/**
 * A time window length in seconds: above 0, at most 7 days.
 *
 * @example
 * Schema.decodeUnknownSync(WindowSeconds)(300) // 300
 */
export const WindowSeconds = Schema.Finite.check(
  Schema.isGreaterThan(0, { message: "windows are longer than 0 seconds" }),
  Schema.isLessThanOrEqualTo(maxWindowSeconds, { message: `windows are at most ${maxWindowSeconds} seconds (7 days)` }),
);

/**
 * A count window length: 1 to 10,000 readings.
 *
 * @example
 * Schema.decodeUnknownSync(WindowReadings)(50) // 50
 */
export const WindowReadings = Schema.Int.check(
  Schema.isBetween({ minimum: 1, maximum: maxWindowReadings }, { message: "windows hold 1 to 10000 readings" }),
);

/**
 * The last T seconds (device time) or the last N readings.
 *
 * @example
 * const lastFiveMinutes: WindowSpec = { seconds: 300 };
 * const lastTenReadings: WindowSpec = { readings: 10 };
 */
export const WindowSpec = Schema.Union([
  Schema.Struct({ seconds: WindowSeconds }),
  Schema.Struct({ readings: WindowReadings }),
]);
export type WindowSpec = typeof WindowSpec.Type;
