/**
 * Reading a request body safely: the size limit is enforced while the body streams in
 * (a declared Content-Length over the limit is refused before reading a byte), so a huge
 * body never sits in memory; bytes must be valid UTF-8.
 */
import { Effect, Result } from "effect";
import { PayloadTooLarge, ValidationFailed } from "../../core/index.ts";
import { UnsupportedMediaType } from "./Errors.ts";

/** How the readings are laid out in the body. */
export type BodyFormat = "json" | "ndjson";

const ndjsonTypes = new Set(["application/x-ndjson", "application/ndjson", "application/jsonl"]);

/**
 * The body format a Content-Type names; no Content-Type means JSON (small devices often omit it).
 *
 * @example
 * bodyFormatOf("application/x-ndjson; charset=utf-8") // Result.succeed("ndjson")
 */
export const bodyFormatOf = (contentType: string | undefined): Result.Result<BodyFormat, UnsupportedMediaType> => {
  if (contentType === undefined || contentType.trim() === "") return Result.succeed("json");
  const [mediaType = "", ...parameters] = contentType.split(";").map((part) => part.trim().toLowerCase());
  const charset = parameters.find((parameter) => parameter.startsWith("charset="))?.slice("charset=".length);
  const unsupported = (message: string) => Result.fail(new UnsupportedMediaType({ message, status: 415 }));
  if (charset !== undefined && charset.replace(/"/g, "") !== "utf-8") {
    return unsupported(`charset ${charset} is not accepted: send UTF-8`);
  }
  if (mediaType === "application/json") return Result.succeed("json");
  if (ndjsonTypes.has(mediaType)) return Result.succeed("ndjson");
  return unsupported(`${mediaType} is not accepted: send application/json or application/x-ndjson`);
};

const tooLarge = (maxBytes: number) =>
  new PayloadTooLarge({ detail: `the body is larger than ${maxBytes} bytes; split it into several requests` });

/** Reads at most `maxBytes`; "too large" as soon as one more byte arrives (the rest is never read). */
const readUpTo = async (body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array | "too large"> => {
  const reader = body.getReader();
  const chunks: Array<Uint8Array> = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return "too large";
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
};

/**
 * The body's bytes, or PayloadTooLarge without buffering more than `maxBytes`.
 *
 * @example
 * const bytes = yield* readBodyWithin(c.req.raw.body, c.req.header("content-length"), 1_048_576);
 */
export const readBodyWithin = (
  body: ReadableStream<Uint8Array> | null,
  contentLength: string | undefined,
  maxBytes: number,
): Effect.Effect<Uint8Array, PayloadTooLarge | ValidationFailed> => {
  if (contentLength !== undefined && Number(contentLength) > maxBytes) return Effect.fail(tooLarge(maxBytes));
  if (body === null) return Effect.succeed(new Uint8Array(0));
  return Effect.tryPromise({
    try: () => readUpTo(body, maxBytes),
    catch: (cause) =>
      new ValidationFailed({
        detail: "the request body could not be read",
        errors: [{ field: "(body)", reason: String(cause) }],
      }),
  }).pipe(Effect.flatMap((bytes) => (bytes === "too large" ? Effect.fail(tooLarge(maxBytes)) : Effect.succeed(bytes))));
};

/**
 * The body as text, refusing bytes that are not UTF-8.
 *
 * @example
 * decodeUtf8(new TextEncoder().encode("{}")) // Result.succeed("{}")
 */
export const decodeUtf8 = (bytes: Uint8Array): Result.Result<string, ValidationFailed> =>
  Result.try({
    try: () => new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes),
    catch: () =>
      new ValidationFailed({
        detail: "the body is not valid UTF-8",
        errors: [{ field: "(body)", reason: "the body is not valid UTF-8" }],
      }),
  });
