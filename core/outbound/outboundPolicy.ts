/**
 * The outbound policy: which destinations the platform may call. A request passes
 * when its scheme is http(s), it carries no credentials in the URL, its host is on the
 * allow-list, and every address its host resolves to is public or explicitly excepted
 * (`allowPrivate`). Implementations check the URL before resolving, each resolved
 * address before connecting (and connect to that address only), and again on every
 * redirect hop.
 */
import { Schema, SchemaGetter } from "effect";
import { effectivePort, type HostPattern, isHostAllowed, parseHostPattern } from "./hostPatterns.ts";
import {
  type AddressRange,
  classifyAddress,
  formatIpAddress,
  inAddressRange,
  parseAddressRange,
  parseIpAddress,
} from "./ipAddresses.ts";

export interface OutboundPolicy {
  /** Hosts that may be called at all; empty refuses everything. */
  readonly allowHosts: ReadonlyArray<HostPattern>;
  /** Non-public addresses that may be connected to anyway (for example a local simulator). */
  readonly allowPrivate: ReadonlyArray<AddressRange>;
  /** Largest response body accepted; callers may ask for less, never more. */
  readonly maxResponseBytes: number;
  /** Redirects followed per request (each re-checked); callers may ask for fewer. */
  readonly maxRedirects: number;
  /** Timeout of a request that names none, and the largest one a request may name. */
  readonly defaultTimeoutMs: number;
  readonly maxTimeoutMs: number;
}

/**
 * Refuses everything until hosts are allow-listed.
 *
 * @example
 * const policy = { ...defaultOutboundPolicy, allowHosts: parseHostPatterns(["api.weather.example"]) };
 */
export const defaultOutboundPolicy: OutboundPolicy = {
  allowHosts: [],
  allowPrivate: [],
  maxResponseBytes: 1024 * 1024,
  maxRedirects: 5,
  defaultTimeoutMs: 10_000,
  maxTimeoutMs: 60_000,
};

/**
 * Why a URL may not be requested, before any DNS lookup; undefined when it may.
 * A host that is an IP literal is judged by its address here too.
 *
 * @example
 * checkDestination(policy, new URL("http://169.254.169.254/latest/meta-data/"))
 * // "host 169.254.169.254 is not allow-listed"
 */
export const checkDestination = (policy: OutboundPolicy, url: URL): string | undefined => {
  if (url.protocol !== "http:" && url.protocol !== "https:") return `scheme ${url.protocol} is not allowed`;
  if (url.username !== "" || url.password !== "") return "credentials in the URL are not allowed";
  if (!isHostAllowed(policy.allowHosts, url)) return `host ${url.host} is not allow-listed`;
  const literal = parseIpAddress(url.hostname);
  return literal === undefined ? undefined : checkAddress(policy, url, url.hostname);
};

/**
 * Why a resolved address of the URL's host may not be connected to; undefined when it may.
 *
 * @example
 * checkAddress(policy, new URL("http://internal.example/"), "10.0.0.7")
 * // "internal.example resolves to 10.0.0.7, a private address"
 */
export const checkAddress = (policy: OutboundPolicy, url: URL, address: string): string | undefined => {
  const parsed = parseIpAddress(address);
  if (parsed === undefined) return `${address} is not an IP address`;
  const kind = classifyAddress(parsed);
  if (kind === "public") return undefined;
  const port = effectivePort(url);
  if (policy.allowPrivate.some((range) => inAddressRange(range, parsed, port))) return undefined;
  const shown = formatIpAddress(parsed);
  const host = url.hostname;
  const article = kind === "unspecified" ? "an" : "a";
  return parseIpAddress(host) !== undefined
    ? `${host} is ${article} ${kind} address`
    : `${host} resolves to ${shown}, ${article} ${kind} address`;
};

const listFrom = <A>(parse: (entry: string) => A | undefined, what: string) => {
  const entriesOf = (text: string) =>
    text
      .split(",")
      .map((entry) => entry.trim())
      .filter((entry) => entry !== "");
  return Schema.String.check(
    Schema.makeFilter((text: string) => {
      const bad = entriesOf(text).filter((entry) => parse(entry) === undefined);
      return bad.length === 0 ? undefined : `not ${what}: ${bad.join(", ")}`;
    }),
  ).pipe(
    Schema.decodeTo(Schema.Array(Schema.Any as Schema.Codec<A>), {
      decode: SchemaGetter.transform((text: string) => entriesOf(text).map((entry) => parse(entry) as A)),
      encode: SchemaGetter.transform((items: ReadonlyArray<A>) =>
        items.map((item) => (item as { readonly text: string }).text).join(","),
      ),
    }),
  );
};

/**
 * A comma-separated host allow-list, as in `ANANSKY_OUTBOUND_ALLOW_HOSTS`.
 *
 * @example
 * Schema.decodeUnknownSync(OutboundHostList)("api.weather.example, *.example.org:443")
 */
export const OutboundHostList = listFrom(
  parseHostPattern,
  "a host pattern (host, host:port, *.domain, [ipv6]:port or *)",
);

/**
 * A comma-separated list of address ranges, as in `ANANSKY_OUTBOUND_ALLOW_PRIVATE`.
 *
 * @example
 * Schema.decodeUnknownSync(OutboundAddressRangeList)("127.0.0.1:18090, 10.20.0.0/16")
 */
export const OutboundAddressRangeList = listFrom(
  parseAddressRange,
  "an address range (ip, ip/len, ip:port, [ipv6/len]:port)",
);

/**
 * Parses allow-list entries, throwing on a malformed one (for code and tests; config
 * goes through OutboundHostList).
 *
 * @example
 * parseHostPatterns(["127.0.0.1:18090"])
 */
export const parseHostPatterns = (entries: ReadonlyArray<string>): ReadonlyArray<HostPattern> =>
  entries.map((entry) => {
    const pattern = parseHostPattern(entry);
    if (pattern === undefined) throw new Error(`not a host pattern: ${entry}`);
    return pattern;
  });

/**
 * Parses address ranges, throwing on a malformed one.
 *
 * @example
 * parseAddressRanges(["127.0.0.1:18090"])
 */
export const parseAddressRanges = (entries: ReadonlyArray<string>): ReadonlyArray<AddressRange> =>
  entries.map((entry) => {
    const range = parseAddressRange(entry);
    if (range === undefined) throw new Error(`not an address range: ${entry}`);
    return range;
  });
