import { describe, expect, it } from "@effect/vitest";
import { Result } from "effect";
import { defaultIngestLimits } from "./ingestLimits.ts";
import {
  parseFlatTimestamp,
  parseIsoTimestamp,
  parseReadingTimestamp,
  timestampOutsideWindow,
} from "./readingTimestamps.ts";

const ok = (result: Result.Result<number, string>) => (Result.isSuccess(result) ? result.success : result.failure);

describe("reading timestamps", () => {
  it("parses ISO 8601 with a zone, fractions and offsets", () => {
    expect(ok(parseReadingTimestamp("2025-03-01T10:00:00Z"))).toBe(Date.parse("2025-03-01T10:00:00Z"));
    expect(ok(parseReadingTimestamp("2025-03-01T10:00:00.250+01:00"))).toBe(Date.parse("2025-03-01T09:00:00.250Z"));
    expect(ok(parseReadingTimestamp("2025-03-01T10:00Z"))).toBe(Date.parse("2025-03-01T10:00:00Z"));
    expect(ok(parseReadingTimestamp("2025-03-01T10:00:00.123456789Z"))).toBe(Date.parse("2025-03-01T10:00:00.123Z"));
  });

  it("refuses what Date.parse would guess at: no zone, prose, impossible dates", () => {
    for (const text of [
      "2025-03-01T10:00:00",
      "2025-03-01 10:00:00Z",
      "March 1, 2025",
      "2025-03-01",
      "",
      "1740823200000",
    ]) {
      expect(Result.isFailure(parseReadingTimestamp(text)), text).toBe(true);
    }
    for (const text of [
      "2024-02-30T00:00:00Z",
      "2023-02-29T00:00:00Z",
      "2025-13-01T00:00:00Z",
      "2025-01-01T24:00:00Z",
    ]) {
      expect(ok(parseReadingTimestamp(text))).toContain("is not a calendar date-time");
    }
    expect(ok(parseReadingTimestamp("2024-02-29T00:00:00Z"))).toBe(Date.parse("2024-02-29T00:00:00Z"));
  });

  it("takes whole epoch milliseconds within the Date range only", () => {
    expect(ok(parseReadingTimestamp(1740823200000))).toBe(1740823200000);
    for (const value of [1740823200000.5, Number.POSITIVE_INFINITY, Number.NaN, 9e15]) {
      expect(Result.isFailure(parseReadingTimestamp(value)), String(value)).toBe(true);
    }
  });

  it("reads v1 timestamps as the Python system sent them: seconds, milliseconds, zone-less UTC", () => {
    expect(ok(parseFlatTimestamp(1740823200.5))).toBe(1740823200500);
    expect(ok(parseFlatTimestamp(1740823200123))).toBe(1740823200123);
    expect(ok(parseFlatTimestamp("2025-03-01T10:00:00.123456"))).toBe(Date.parse("2025-03-01T10:00:00.123Z"));
    expect(ok(parseFlatTimestamp("2025-03-01 10:00:00+00:00"))).toBe(Date.parse("2025-03-01T10:00:00Z"));
    expect(Result.isFailure(parseFlatTimestamp(-1))).toBe(true);
    expect(Result.isFailure(parseIsoTimestamp("yesterday", { zoneRequired: false }))).toBe(true);
  });

  it("holds timestamps to 5 minutes ahead and 1 year back, saying why", () => {
    const now = Date.parse("2025-03-01T10:00:00Z");
    expect(timestampOutsideWindow(now + 5 * 60_000, now, defaultIngestLimits)).toBeUndefined();
    expect(timestampOutsideWindow(now + 5 * 60_000 + 1, now, defaultIngestLimits)).toContain(
      "is more than 5 minutes in the future (server time 2025-03-01T10:00:00.000Z)",
    );
    expect(timestampOutsideWindow(now - 365 * 86_400_000, now, defaultIngestLimits)).toBeUndefined();
    expect(timestampOutsideWindow(now - 365 * 86_400_000 - 1, now, defaultIngestLimits)).toContain(
      "is older than 365 days",
    );
    expect(timestampOutsideWindow(1_740_823_200, now, defaultIngestLimits)).toContain("looks like epoch seconds");
  });
});
