import { describe, expect, it } from "@effect/vitest";
import { Effect, Result } from "effect";
import { bodyFormatOf, decodeUtf8, readBodyWithin } from "./requestBody.ts";

/** A body arriving in chunks, remembering how many chunks were pulled. */
const chunkedBody = (chunks: number, size: number) => {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled === chunks) return controller.close();
      pulled++;
      controller.enqueue(new Uint8Array(size).fill(0x20));
    },
  });
  return { stream, pulled: () => pulled };
};

describe("request bodies", () => {
  it("maps content types to formats, JSON when absent", () => {
    expect(bodyFormatOf(undefined)).toEqual(Result.succeed("json"));
    expect(bodyFormatOf("application/json; charset=UTF-8")).toEqual(Result.succeed("json"));
    expect(bodyFormatOf("application/x-ndjson")).toEqual(Result.succeed("ndjson"));
    const refused = bodyFormatOf("text/plain");
    expect(Result.isFailure(refused) && refused.failure).toMatchObject({
      status: 415,
      message: expect.stringContaining("text/plain"),
    });
    expect(Result.isFailure(bodyFormatOf("application/json; charset=latin1"))).toBe(true);
  });

  it.effect("stops reading a stream one chunk past the limit", () =>
    Effect.gen(function* () {
      const body = chunkedBody(100, 1024);
      const error = yield* Effect.flip(readBodyWithin(body.stream, undefined, 10 * 1024));
      expect(error._tag).toBe("PayloadTooLarge");
      expect(body.pulled()).toBeLessThanOrEqual(12);
    }),
  );

  it.effect("refuses a declared Content-Length over the limit without reading", () =>
    Effect.gen(function* () {
      const body = chunkedBody(1, 10);
      const error = yield* Effect.flip(readBodyWithin(body.stream, String(2_000_000), 1_048_576));
      expect(error._tag).toBe("PayloadTooLarge");
      expect(body.pulled()).toBe(0);
    }),
  );

  it.effect("reads a body within the limit whole", () =>
    Effect.gen(function* () {
      const bytes = yield* readBodyWithin(chunkedBody(3, 100).stream, undefined, 300);
      expect(bytes.byteLength).toBe(300);
    }),
  );

  it("refuses bytes that are not UTF-8", () => {
    expect(decodeUtf8(new Uint8Array([0x7b, 0xff, 0x7d]))).toMatchObject({ _tag: "Failure" });
    expect(decodeUtf8(new TextEncoder().encode('{"t":"°C"}'))).toEqual(Result.succeed('{"t":"°C"}'));
  });
});
