/**
 * OutboundHttp on Node: node:dns to resolve, node:http(s) to connect — to the address
 * that was checked, never to the name again (a second lookup could answer differently:
 * DNS rebinding). TLS still verifies the certificate against the host name (SNI).
 * Redirects are followed by hand, each hop checked like the first; the deadline covers
 * the whole exchange and the body limit is enforced while streaming.
 */
import { lookup } from "node:dns/promises";
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { Effect, Layer } from "effect";
import {
  displayUrl,
  type OutboundError,
  OutboundRefused,
  OutboundResponseTooLarge,
  OutboundTimeout,
  OutboundUnreachable,
} from "../../core/outbound/Errors.ts";
import { effectivePort } from "../../core/outbound/hostPatterns.ts";
import {
  checkUrl,
  type OutboundHeaderValue,
  OutboundHttp,
  type OutboundRequest,
  type OutboundResponse,
  revealHeaders,
} from "../../core/outbound/OutboundHttp.ts";
import { checkAddress, type OutboundPolicy } from "../../core/outbound/outboundPolicy.ts";
import {
  boundedBody,
  declaredLengthExceeds,
  type Hop,
  nextHop,
  redirectStatuses,
} from "../../core/outbound/responseLimits.ts";

export interface OutboundHttpNodeOptions {
  /** Resolves a host name to its addresses (default: the system resolver, all addresses). */
  readonly resolve?: ((hostname: string) => Promise<ReadonlyArray<string>>) | undefined;
  readonly userAgent?: string | undefined;
}

const systemResolve = async (hostname: string): Promise<ReadonlyArray<string>> =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

type HopAnswer =
  | { readonly _tag: "Redirect"; readonly status: number; readonly location: string }
  | {
      readonly _tag: "Answer";
      readonly status: number;
      readonly headers: Record<string, string>;
      readonly body: Uint8Array;
    };

const flatHeaders = (headers: IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(", ") : value]],
    ),
  );

/** The bare host of a URL (no IPv6 brackets). */
const bareHost = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, "$1");

/**
 * Resolves the hop's host and checks every address: one forbidden address refuses the
 * host (a name answering with a private address next to public ones is not trusted).
 */
const pinAddress = (policy: OutboundPolicy, resolve: (hostname: string) => Promise<ReadonlyArray<string>>, url: URL) =>
  Effect.gen(function* () {
    const host = bareHost(url);
    const addresses =
      isIP(host) !== 0
        ? [host]
        : yield* Effect.tryPromise({
            try: () => resolve(host),
            catch: (cause) =>
              new OutboundUnreachable({ url: displayUrl(url), reason: `cannot resolve ${host}: ${errorCode(cause)}` }),
          });
    const first = addresses[0];
    if (first === undefined) {
      return yield* new OutboundUnreachable({ url: displayUrl(url), reason: `${host} has no address` });
    }
    for (const address of addresses) {
      const reason = checkAddress(policy, url, address);
      if (reason !== undefined) return yield* new OutboundRefused({ url: displayUrl(url), reason });
    }
    return first;
  });

const errorCode = (cause: unknown): string =>
  typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : String(cause);

/** One request to one pinned address; a redirect answer is returned unread. */
const exchange = (
  hop: Hop<OutboundHeaderValue>,
  address: string,
  limitBytes: number,
  followRedirects: boolean,
  userAgent: string,
) =>
  Effect.callback<HopAnswer, OutboundError>((resume, signal) => {
    const url = hop.url;
    const shown = displayUrl(url);
    const https = url.protocol === "https:";
    const host = bareHost(url);
    let settled = false;
    const settle = (effect: Effect.Effect<HopAnswer, OutboundError>) => {
      if (settled) return;
      settled = true;
      resume(effect);
    };
    const request = (https ? httpsRequest : httpRequest)({
      host: address,
      port: effectivePort(url),
      path: `${url.pathname}${url.search}`,
      method: hop.method,
      // Host names the site; the socket goes to the pinned address.
      headers: {
        "user-agent": userAgent,
        ...revealHeaders(hop.headers),
        host: url.host,
        "accept-encoding": "identity",
      },
      agent: false,
      signal,
      ...(https && isIP(host) === 0 ? { servername: host } : {}),
    });
    request.on("response", (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (followRedirects && redirectStatuses.has(status) && location !== undefined) {
        response.destroy();
        return settle(Effect.succeed({ _tag: "Redirect", status, location }));
      }
      const tooLarge = () => {
        response.destroy();
        settle(Effect.fail(new OutboundResponseTooLarge({ url: shown, limitBytes })));
      };
      if (declaredLengthExceeds(response.headers["content-length"], limitBytes)) return tooLarge();
      const body = boundedBody(limitBytes);
      response.on("data", (chunk: Uint8Array) => {
        if (!body.add(chunk)) tooLarge();
      });
      response.on("end", () =>
        settle(Effect.succeed({ _tag: "Answer", status, headers: flatHeaders(response.headers), body: body.bytes() })),
      );
      response.on("error", (error) =>
        settle(Effect.fail(new OutboundUnreachable({ url: shown, reason: `response broken: ${errorCode(error)}` }))),
      );
    });
    request.on("error", (error) =>
      settle(Effect.fail(new OutboundUnreachable({ url: shown, reason: `connection failed: ${errorCode(error)}` }))),
    );
    request.end(hop.body);
    return Effect.sync(() => request.destroy());
  });

/**
 * @example
 * const layer = layerOutboundHttpNode(policy); // services/runtime/platformLayer.ts
 * const testLayer = layerOutboundHttpNode(policy, { resolve: async () => ["10.0.0.1"] });
 */
export const layerOutboundHttpNode = (policy: OutboundPolicy, options: OutboundHttpNodeOptions = {}) =>
  Layer.succeed(OutboundHttp, makeOutboundHttpNode(policy, options));

/**
 * The service itself, for callers that build their own layer.
 *
 * @example
 * const http = makeOutboundHttpNode(policy);
 */
export const makeOutboundHttpNode = (policy: OutboundPolicy, options: OutboundHttpNodeOptions = {}) => {
  const resolve = options.resolve ?? systemResolve;
  const userAgent = options.userAgent ?? "anansky-outbound/0.1";

  const request = (input: OutboundRequest): Effect.Effect<OutboundResponse, OutboundError> => {
    const timeoutMs = Math.min(input.timeoutMs ?? policy.defaultTimeoutMs, policy.maxTimeoutMs);
    const limitBytes = Math.min(input.maxResponseBytes ?? policy.maxResponseBytes, policy.maxResponseBytes);
    const maxRedirects = Math.min(input.maxRedirects ?? policy.maxRedirects, policy.maxRedirects);
    const follow = Effect.fnUntraced(function* () {
      yield* checkUrl(policy, input.url);
      let hop: Hop<OutboundHeaderValue> = {
        url: new URL(input.url),
        method: input.method ?? "GET",
        headers: input.headers ?? {},
        body: input.body,
      };
      const redirects: Array<string> = [];
      for (;;) {
        const address = yield* pinAddress(policy, resolve, hop.url).pipe(
          Effect.mapError((error) =>
            redirects.length > 0 && error._tag === "OutboundRefused"
              ? new OutboundRefused({ url: error.url, reason: `redirect: ${error.reason}` })
              : error,
          ),
        );
        const answer = yield* exchange(hop, address, limitBytes, maxRedirects > 0, userAgent);
        if (answer._tag === "Answer") {
          return { status: answer.status, headers: answer.headers, body: answer.body, url: hop.url.href, redirects };
        }
        const shown = displayUrl(hop.url);
        if (redirects.length >= maxRedirects) {
          return yield* new OutboundRefused({ url: shown, reason: `more than ${maxRedirects} redirects` });
        }
        const next = nextHop(hop, answer.status, answer.location);
        if (typeof next === "string") return yield* new OutboundRefused({ url: shown, reason: next });
        yield* checkUrl(policy, next.url.href).pipe(
          Effect.mapError((refused) => new OutboundRefused({ url: shown, reason: `redirect: ${refused.reason}` })),
        );
        redirects.push(hop.url.href);
        hop = next;
      }
    });
    return follow().pipe(
      Effect.timeoutOrElse({
        duration: timeoutMs,
        orElse: () => Effect.fail(new OutboundTimeout({ url: displayUrl(input.url), timeoutMs })),
      }),
      Effect.withSpan("OutboundHttp.request", {
        attributes: { "http.request.method": input.method ?? "GET", "url.full": displayUrl(input.url) },
      }),
    );
  };

  return OutboundHttp.of({ request, check: (url) => checkUrl(policy, url) });
};
