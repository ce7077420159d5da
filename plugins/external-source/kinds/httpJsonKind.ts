/**
 * The `http-json` kind: GET (or POST) a JSON document from a URL built from the reading,
 * through the platform's OutboundHttp (allow-listed hosts, checked addresses, size
 * limit). The URL's scheme and host are fixed in the template — placeholders may only
 * come after them — so a device attribute can never pick the host; the host is checked
 * against the policy when the source is saved, and every request again when it is sent.
 * Headers may name secrets (`{"secret": "weather-key", "prefix": "Bearer "}`); they are
 * read at fetch time and stay Redacted until written to the socket.
 */
import { Effect, Option, Redacted, Result, Schema } from "effect";
import type { FieldIssue } from "../../../core/index.ts";
import type { OutboundError } from "../../../core/outbound/Errors.ts";
import { type OutboundHeaderValue, OutboundHttp, responseJson } from "../../../core/outbound/OutboundHttp.ts";
import { SourceFetchFailed } from "../Errors.ts";
import { defineSourceKind } from "../SourceKind.ts";
import { SecretName } from "../secretStore.ts";
import { expandJsonTemplate, expandTemplate, parseTemplate, type Template } from "../templates.ts";

const platformHeaders = new Set(["host", "content-length", "transfer-encoding", "connection", "accept-encoding"]);

const HeaderName = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/, { message: "not a header name" }),
  Schema.makeFilter((name: string) =>
    platformHeaders.has(name.toLowerCase()) ? `${name} is set by the platform` : undefined,
  ),
);
const HeaderText = Schema.String.check(
  Schema.isMaxLength(1024),
  Schema.isPattern(/^[^\r\n]*$/, { message: "header values are one line" }),
);
const SecretHeader = Schema.Struct({
  secret: SecretName,
  prefix: Schema.optionalKey(HeaderText.check(Schema.isMaxLength(64))),
});

/**
 * The scheme and host of a URL template, fixed before any placeholder, or why not.
 *
 * @example
 * fixedOrigin(parsed("https://api.example/v1?lat={attributes.lat}")) // Result.succeed("https://api.example")
 * fixedOrigin(parsed("https://{attributes.host}/v1")) // Result.fail(...)
 */
export const fixedOrigin = (template: Template): Result.Result<string, string> => {
  const first = template[0];
  const match = first?._tag === "Text" ? /^(https?:\/\/[^/?#]+)([/?#]|$)/i.exec(first.text) : null;
  const followedByPlaceholder = match !== null && match[2] === "" && template.length > 1;
  if (match === null || followedByPlaceholder || !URL.canParse(match[1] ?? "")) {
    return Result.fail("the URL must start with a fixed http:// or https:// host; placeholders may only follow it");
  }
  return Result.succeed(new URL(match[1] ?? "").origin);
};

const UrlTemplate = Schema.String.check(
  Schema.isMaxLength(2048),
  Schema.makeFilter((url: string) => {
    const origin = Result.flatMap(parseTemplate(url), fixedOrigin);
    return Result.isFailure(origin) ? origin.failure : undefined;
  }),
);

export const HttpJsonOptions = Schema.Struct({
  /** `https://api.example/now?lat={attributes.lat|round:2}&lon={attributes.lon|round:2}` */
  url: UrlTemplate,
  method: Schema.optionalKey(Schema.Literals(["GET", "POST"])),
  headers: Schema.optionalKey(
    Schema.Record(Schema.String, Schema.Union([HeaderText, SecretHeader])).check(
      Schema.isMaxProperties(20),
      Schema.isPropertyNames(HeaderName),
    ),
  ),
  /** POST only: a JSON template (strings expanded; a lone placeholder keeps its type). */
  body: Schema.optionalKey(Schema.Unknown),
  /** Below the platform's limit (ANANSKY_OUTBOUND_MAX_RESPONSE_BYTES) to be stricter. */
  maxResponseBytes: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 100 * 1024 * 1024 }))),
});
export type HttpJsonOptions = typeof HttpJsonOptions.Type;

const unavailable = (reason: string, retryable: boolean) => new SourceFetchFailed({ reason, retryable });

const fromOutbound = (error: OutboundError): SourceFetchFailed => {
  switch (error._tag) {
    case "OutboundRefused":
      return unavailable(`refused: ${error.reason}`, false);
    case "OutboundUnreachable":
      return unavailable(`unreachable: ${error.reason}`, true);
    case "OutboundTimeout":
      return unavailable(`no answer within ${error.timeoutMs} ms`, true);
    case "OutboundResponseTooLarge":
      return unavailable(`answer larger than ${error.limitBytes} bytes`, false);
  }
};

/** Header names that carry credentials: their values must come from secrets, never from the definition. */
const looksSensitive = (name: string) => /auth|key|token|secret|cookie|password|signature/i.test(name);

const isRetryableStatus = (status: number) => status >= 500 || status === 429 || status === 408;

const outboundHttp = Effect.serviceOption(OutboundHttp).pipe(
  Effect.flatMap(
    Option.match({
      onNone: () => Effect.fail(unavailable("outbound HTTP is not available in this process", false)),
      onSome: Effect.succeed,
    }),
  ),
);

/**
 * @example
 * api.extend(sourceKindExtensionPoint, httpJsonKind);
 */
export const httpJsonKind = defineSourceKind({
  kind: "http-json",
  description: "GET or POST a JSON document from an allow-listed HTTP(S) endpoint; URL templated from the reading",
  options: HttpJsonOptions,
  validate: (options) =>
    Effect.gen(function* () {
      const template = Result.getOrThrow(parseTemplate(options.url));
      const origin = Result.getOrThrow(fixedOrigin(template));
      const http = yield* Effect.serviceOption(OutboundHttp);
      const issues: Array<FieldIssue> = [];
      if (Option.isNone(http)) issues.push({ field: "options.url", reason: "outbound HTTP is not available" });
      else {
        const refused = yield* Effect.flip(http.value.check(`${origin}/`)).pipe(Effect.option);
        if (Option.isSome(refused)) issues.push({ field: "options.url", reason: refused.value.reason });
      }
      for (const [name, value] of Object.entries(options.headers ?? {})) {
        if (typeof value === "string" && looksSensitive(name)) {
          issues.push({ field: `options.headers.${name}`, reason: 'use a secret reference: {"secret": "<name>"}' });
        }
      }
      if (options.body !== undefined && options.method !== "POST") {
        issues.push({ field: "options.body", reason: "a body needs method POST" });
      }
      return issues;
    }),
  plan: (options, call) =>
    Result.gen(function* () {
      const url = yield* expandTemplate(yield* parseTemplate(options.url), call.reading, encodeURIComponent);
      const method = options.method ?? "GET";
      const body =
        method === "POST" && options.body !== undefined
          ? JSON.stringify(yield* expandJsonTemplate(options.body, call.reading))
          : undefined;
      const fetch = Effect.gen(function* () {
        const http = yield* outboundHttp;
        const headers: Record<string, OutboundHeaderValue> = { accept: "application/json" };
        if (body !== undefined) headers["content-type"] = "application/json";
        for (const [name, value] of Object.entries(options.headers ?? {})) {
          if (typeof value === "string") headers[name] = value;
          else
            headers[name] = Redacted.make(`${value.prefix ?? ""}${Redacted.value(yield* call.secret(value.secret))}`);
        }
        const response = yield* http
          .request({
            url,
            method,
            headers,
            body,
            timeoutMs: call.timeoutMs,
            maxResponseBytes: options.maxResponseBytes,
          })
          .pipe(Effect.mapError(fromOutbound));
        if (response.status < 200 || response.status > 299) {
          return yield* unavailable(`answered ${response.status}`, isRetryableStatus(response.status));
        }
        const document = responseJson(response);
        if (Result.isFailure(document)) return yield* unavailable(document.failure, false);
        return document.success;
      });
      return { cacheKey: `${method} ${url} ${body ?? ""}`, fetch };
    }),
});
