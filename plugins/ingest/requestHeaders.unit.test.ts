/** The headers and selectors of POST /v1/telemetry: payload version and Idempotency-Key. */
import { describe, expect, it } from "@effect/vitest";
import { Result } from "effect";
import { derivedReadingId, parseIdempotencyKey, startOfUtcDay } from "./idempotency.ts";
import { payloadVersionOf } from "./payloadVersion.ts";

describe("payload version selectors", () => {
  it("is 2 by default and 1 by path, query or header", () => {
    expect(payloadVersionOf({ path: undefined, query: [], header: undefined })).toEqual(Result.succeed(2));
    expect(payloadVersionOf({ path: 1, query: [], header: undefined })).toEqual(Result.succeed(1));
    expect(payloadVersionOf({ path: undefined, query: ["1"], header: undefined })).toEqual(Result.succeed(1));
    expect(payloadVersionOf({ path: undefined, query: [], header: " 1 " })).toEqual(Result.succeed(1));
    expect(payloadVersionOf({ path: 1, query: ["1"], header: "1" })).toEqual(Result.succeed(1));
  });

  it("refuses unknown versions and selectors that disagree", () => {
    const fields = (selectors: Parameters<typeof payloadVersionOf>[0]) => {
      const result = payloadVersionOf(selectors);
      return Result.isFailure(result) ? result.failure.errors.map((issue) => issue.field) : [];
    };
    expect(fields({ path: undefined, query: ["3"], header: undefined })).toEqual(["version"]);
    expect(fields({ path: undefined, query: [], header: "v1" })).toEqual(["Anansky-Payload-Version"]);
    expect(fields({ path: 1, query: ["2"], header: undefined })).toEqual(["path, version"]);
  });
});

describe("Idempotency-Key", () => {
  it("takes visible ASCII up to the limit, unquoting a structured-field string", () => {
    expect(parseIdempotencyKey(undefined, 200)).toEqual(Result.succeed(undefined));
    expect(parseIdempotencyKey('"abc-123"', 200)).toEqual(Result.succeed("abc-123"));
    for (const bad of ["", "a b", "é", "x".repeat(201), '""']) {
      expect(Result.isFailure(parseIdempotencyKey(bad, 200)), bad).toBe(true);
    }
  });

  it("derives the same event id for the same credential, key and item, and different ones otherwise", () => {
    const scope = { tenantId: "acme", credentialKeyId: "0123456789ab", idempotencyKey: "k1" };
    const day = startOfUtcDay(Date.parse("2025-03-01T10:15:00Z"));
    expect(day).toBe(Date.parse("2025-03-01T00:00:00Z"));
    expect(derivedReadingId(scope, 0, day)).toBe(derivedReadingId(scope, 0, day));
    const others = [
      derivedReadingId(scope, 1, day),
      derivedReadingId({ ...scope, credentialKeyId: "ba9876543210" }, 0, day),
      derivedReadingId({ ...scope, idempotencyKey: "k2" }, 0, day),
      derivedReadingId({ ...scope, tenantId: "globex" }, 0, day),
    ];
    expect(new Set([derivedReadingId(scope, 0, day), ...others]).size).toBe(5);
  });
});
