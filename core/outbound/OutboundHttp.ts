/**
 * Safe outbound HTTP: the only way plugins call the outside world. Requests go to
 * allow-listed hosts only; every resolved address is checked (loopback, private,
 * link-local and the like are refused unless excepted) and the connection is pinned to
 * the checked address, so a DNS answer that changes between check and connect cannot
 * redirect it; redirects are followed by hand and each hop is checked again; the whole
 * exchange has a deadline and the body a size limit, enforced while streaming.
 *
 * The Node implementation is `services/runtime/outboundHttpNode.ts`; `layerFromHandler`
 * serves tests and runtimes without sockets.
 */
import { Context, Effect, Layer, Redacted, Result } from "effect";
import { displayUrl, type OutboundError, OutboundRefused } from "./Errors.ts";
import { checkDestination, defaultOutboundPolicy, type OutboundPolicy } from "./outboundPolicy.ts";

export type OutboundMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A header value; a Redacted one is unwrapped only when written to the socket. */
export type OutboundHeaderValue = string | Redacted.Redacted<string>;

export interface OutboundRequest {
  readonly url: string;
  /** Default GET. */
  readonly method?: OutboundMethod | undefined;
  readonly headers?: Readonly<Record<string, OutboundHeaderValue>> | undefined;
  readonly body?: string | Uint8Array | undefined;
  /** The whole exchange, redirects included; default and cap from the policy. */
  readonly timeoutMs?: number | undefined;
  /** Body limit; capped by the policy. */
  readonly maxResponseBytes?: number | undefined;
  /** Redirects to follow; capped by the policy. 0 returns a redirect answer as it is. */
  readonly maxRedirects?: number | undefined;
}

export interface OutboundResponse {
  readonly status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  /** Where the answer finally came from. */
  readonly url: string;
  /** The URLs redirected through, in order. */
  readonly redirects: ReadonlyArray<string>;
}

export class OutboundHttp extends Context.Service<
  OutboundHttp,
  {
    /**
     * @example
     * const response = yield* http.request({ url: "https://api.weather.example/now?lat=52.1", timeoutMs: 2_000 });
     * const document = responseJson(response); // Result<unknown, string>
     */
    request(request: OutboundRequest): Effect.Effect<OutboundResponse, OutboundError>;
    /**
     * Whether a URL passes the policy before any DNS lookup (scheme, allow-list, literal
     * addresses): for validating configuration when it is saved.
     *
     * @example
     * yield* http.check("http://169.254.169.254/"); // fails with OutboundRefused
     */
    check(url: string): Effect.Effect<void, OutboundRefused>;
  }
>()("anansky/OutboundHttp") {
  /**
   * An OutboundHttp answering from a function (tests; runtimes without sockets). With a
   * policy, URLs are checked against it first (addresses only when they are literals).
   *
   * @example
   * const layer = OutboundHttp.layerFromHandler((request) =>
   *   Effect.succeed(jsonResponse(request.url, { temperature_c: 12.5 })));
   */
  static readonly layerFromHandler = (
    handler: (request: OutboundRequest) => Effect.Effect<OutboundResponse, OutboundError>,
    policy?: OutboundPolicy,
  ): Layer.Layer<OutboundHttp> => {
    const check = (url: string) => (policy === undefined ? Effect.void : checkUrl(policy, url));
    return Layer.succeed(
      OutboundHttp,
      OutboundHttp.of({ request: (request) => Effect.andThen(check(request.url), handler(request)), check }),
    );
  };

  /** Refuses every request: a process that must not call out. */
  static readonly layerRefuseAll: Layer.Layer<OutboundHttp> = OutboundHttp.layerFromHandler(
    (request) => checkUrl(defaultOutboundPolicy, request.url).pipe(Effect.as(jsonResponse(request.url, null))),
    defaultOutboundPolicy,
  );
}

/**
 * The policy's verdict on a URL before DNS, as an effect.
 *
 * @example
 * yield* checkUrl(policy, "http://127.0.0.1:9/"); // OutboundRefused unless allow-listed and excepted
 */
export const checkUrl = (policy: OutboundPolicy, url: string): Effect.Effect<void, OutboundRefused> => {
  if (!URL.canParse(url)) return Effect.fail(new OutboundRefused({ url: "(not a URL)", reason: "not a URL" }));
  const reason = checkDestination(policy, new URL(url));
  return reason === undefined ? Effect.void : Effect.fail(new OutboundRefused({ url: displayUrl(url), reason }));
};

/**
 * Header values as they go on the wire.
 *
 * @example
 * revealHeaders({ "x-api-key": Redacted.make("k") }) // { "x-api-key": "k" }
 */
export const revealHeaders = (headers: Readonly<Record<string, OutboundHeaderValue>>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, Redacted.isRedacted(value) ? Redacted.value(value) : value]),
  );

/**
 * The body as UTF-8 text.
 *
 * @example
 * responseText(response) // '{"ok":true}'
 */
export const responseText = (response: OutboundResponse): string => new TextDecoder().decode(response.body);

/**
 * The body parsed as JSON, or why it is not JSON.
 *
 * @example
 * const parsed = responseJson(response);
 * if (Result.isSuccess(parsed)) console.log(parsed.success);
 */
export const responseJson = (response: OutboundResponse): Result.Result<unknown, string> => {
  const text = responseText(response);
  try {
    return Result.succeed(JSON.parse(text) as unknown);
  } catch {
    return Result.fail(`the body is not JSON (${response.body.length} bytes)`);
  }
};

/**
 * A 200 JSON response: for handlers given to `layerFromHandler`.
 *
 * @example
 * jsonResponse("https://api.example/x", { ok: true }, 200)
 */
export const jsonResponse = (url: string, document: unknown, status = 200): OutboundResponse => ({
  status,
  headers: { "content-type": "application/json" },
  body: new TextEncoder().encode(JSON.stringify(document)),
  url,
  redirects: [],
});
