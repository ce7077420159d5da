/**
 * The host allow-list of outbound HTTP: which hosts (and ports) the platform may call at
 * all. Hosts are compared in the form the WHATWG URL parser gives them (lower case,
 * punycode, IPv4 in dotted decimal, IPv6 compressed in brackets), so `0x7f.1` and
 * `127.0.0.1` are the same host to the list.
 */

/** One allow-list entry. */
export interface HostPattern {
  /** The host as the URL parser normalises it ("" for `*`). */
  readonly host: string;
  /** `exact`: that host; `subdomains`: `*.example.com` (not the apex); `any`: `*`. */
  readonly match: "exact" | "subdomains" | "any";
  /** Only this port (the scheme's default port counts as given); any port when absent. */
  readonly port?: number | undefined;
  /** As configured, for messages. */
  readonly text: string;
}

const normalisedHost = (host: string): string | undefined => {
  if (!URL.canParse(`http://${host}/`)) return undefined;
  const parsed = new URL(`http://${host}/`);
  // Only a bare host: anything else (a path, credentials, a port) means it was not one.
  if (parsed.username !== "" || parsed.password !== "" || parsed.port !== "" || parsed.pathname !== "/") {
    return undefined;
  }
  return parsed.hostname.replace(/\.$/, "");
};

/**
 * Parses an allow-list entry: `api.example.com`, `api.example.com:8443`,
 * `*.example.com`, `127.0.0.1:18090`, `[::1]:8080`, or `*` (every host; addresses are
 * still checked). Undefined when malformed.
 *
 * @example
 * parseHostPattern("*.weather.example") // { host: "weather.example", match: "subdomains", ... }
 * parseHostPattern("http://x") // undefined
 */
export const parseHostPattern = (input: string): HostPattern | undefined => {
  const text = input.trim();
  if (text === "*") return { host: "", match: "any", text };
  const split = /^(\[[^\]]+\]|[^:[\]]+)(?::([0-9]{1,5}))?$/.exec(text);
  if (split === null) return undefined;
  const [, hostText = "", portText] = split;
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  const wildcard = hostText.startsWith("*.");
  const host = normalisedHost(wildcard ? hostText.slice(2) : hostText);
  if (host === undefined || host === "" || host.includes("*")) return undefined;
  return { host, match: wildcard ? "subdomains" : "exact", port, text };
};

/**
 * The port a URL connects to (its explicit port or the scheme's default).
 *
 * @example
 * effectivePort(new URL("https://example.com/")) // 443
 */
export const effectivePort = (url: URL): number =>
  url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80;

/**
 * Whether a URL's host and port are on the list.
 *
 * @example
 * isHostAllowed([parseHostPattern("*.example.com")!], new URL("https://api.example.com/x")) // true
 * isHostAllowed([parseHostPattern("*.example.com")!], new URL("https://example.com/x")) // false
 */
export const isHostAllowed = (patterns: ReadonlyArray<HostPattern>, url: URL): boolean => {
  const host = url.hostname.replace(/\.$/, "").toLowerCase();
  const port = effectivePort(url);
  return patterns.some((pattern) => {
    if (pattern.port !== undefined && pattern.port !== port) return false;
    if (pattern.match === "any") return true;
    return pattern.match === "exact" ? host === pattern.host : host.endsWith(`.${pattern.host}`);
  });
};
