/**
 * Bounding what an outbound request reads and where it is redirected to: a byte
 * counter for bodies streamed in chunks (Content-Length is a claim, not a promise), and
 * the rules for following one redirect hop (method, body, and which headers may travel
 * to another origin: none that could carry a secret).
 */

/**
 * Whether a declared Content-Length is already over the limit (a missing or malformed
 * one is not: the streamed count decides then).
 *
 * @example
 * declaredLengthExceeds("5242880", 1048576) // true
 * declaredLengthExceeds(undefined, 1048576) // false
 */
export const declaredLengthExceeds = (contentLength: string | undefined, limitBytes: number): boolean =>
  contentLength !== undefined && /^[0-9]+$/.test(contentLength.trim()) && Number(contentLength) > limitBytes;

/** Collects body chunks up to a limit. */
export interface BoundedBody {
  /** Adds a chunk; false (and nothing kept) once the total would pass the limit. */
  add(chunk: Uint8Array): boolean;
  /** Bytes kept so far. */
  readonly size: number;
  /** The chunks joined. */
  bytes(): Uint8Array;
}

/**
 * @example
 * const body = boundedBody(1024);
 * if (!body.add(chunk)) response.destroy(); // too large: stop reading now
 */
export const boundedBody = (limitBytes: number): BoundedBody => {
  const chunks: Array<Uint8Array> = [];
  let size = 0;
  return {
    add: (chunk) => {
      if (size + chunk.length > limitBytes) return false;
      chunks.push(chunk);
      size += chunk.length;
      return true;
    },
    get size() {
      return size;
    },
    bytes: () => {
      const joined = new Uint8Array(size);
      let offset = 0;
      for (const chunk of chunks) {
        joined.set(chunk, offset);
        offset += chunk.length;
      }
      return joined;
    },
  };
};

export const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Headers that may follow a redirect to another origin: none of them can carry a secret. */
const crossOriginSafeHeaders = new Set(["accept", "accept-language", "user-agent"]);

/** One hop of a request: what to send where. */
export interface Hop<Header> {
  readonly url: URL;
  readonly method: string;
  readonly headers: Readonly<Record<string, Header>>;
  readonly body?: string | Uint8Array | undefined;
}

/**
 * The next hop after a redirect answer, or why it cannot be followed. 303 (and 301/302
 * after a POST) become a GET without body; 307/308 repeat the request. Going to another
 * origin drops every header but a few harmless ones; going from https to http is refused.
 *
 * @example
 * nextHop({ url: new URL("https://a.example/x"), method: "GET", headers: { authorization: "k" } }, 302, "https://b.example/y")
 * // { url: https://b.example/y, method: "GET", headers: {} }
 */
export const nextHop = <Header>(hop: Hop<Header>, status: number, location: string): Hop<Header> | string => {
  if (!URL.canParse(location, hop.url)) return `redirect to an invalid location`;
  const url = new URL(location, hop.url);
  if (url.protocol !== "http:" && url.protocol !== "https:") return `redirect to scheme ${url.protocol} refused`;
  if (hop.url.protocol === "https:" && url.protocol === "http:") return "redirect from https to http refused";
  const becomesGet = status === 303 || ((status === 301 || status === 302) && hop.method === "POST");
  const sameOrigin = url.origin === hop.url.origin;
  const headers = Object.fromEntries(
    Object.entries(hop.headers).filter(([name]) => {
      const lower = name.toLowerCase();
      if (becomesGet && (lower === "content-type" || lower === "content-length")) return false;
      return sameOrigin || crossOriginSafeHeaders.has(lower);
    }),
  );
  return becomesGet
    ? { url, method: hop.method === "HEAD" ? "HEAD" : "GET", headers }
    : { url, method: hop.method, headers, body: hop.body };
};
