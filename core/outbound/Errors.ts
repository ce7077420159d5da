/**
 * The failures of an outbound HTTP request a caller can handle. URLs in them are
 * shortened to origin and path (see `displayUrl`): a query string may carry a key.
 */
import { Schema } from "effect";

/** The policy forbids the request: scheme, host not allow-listed, a forbidden address, a redirect that leaves. */
export class OutboundRefused extends Schema.TaggedError<OutboundRefused>()("OutboundRefused", {
  url: Schema.String,
  reason: Schema.String,
}) {}

/** The host did not resolve, refused or dropped the connection. Worth retrying. */
export class OutboundUnreachable extends Schema.TaggedError<OutboundUnreachable>()("OutboundUnreachable", {
  url: Schema.String,
  reason: Schema.String,
}) {}

/** No complete answer (all redirects included) within the time given. Worth retrying. */
export class OutboundTimeout extends Schema.TaggedError<OutboundTimeout>()("OutboundTimeout", {
  url: Schema.String,
  timeoutMs: Schema.Number,
}) {}

/** The answer was larger than allowed; the transfer was stopped. */
export class OutboundResponseTooLarge extends Schema.TaggedError<OutboundResponseTooLarge>()(
  "OutboundResponseTooLarge",
  { url: Schema.String, limitBytes: Schema.Number },
) {}

export type OutboundError = OutboundRefused | OutboundUnreachable | OutboundTimeout | OutboundResponseTooLarge;

/**
 * A URL as errors and logs show it: origin and path, the query replaced by "?…".
 *
 * @example
 * displayUrl("https://api.example.com/v1?key=secret") // "https://api.example.com/v1?…"
 */
export const displayUrl = (url: string | URL): string => {
  const text = String(url);
  if (!URL.canParse(text)) return "(not a URL)";
  const parsed = new URL(text);
  return `${parsed.origin}${parsed.pathname}${parsed.search === "" ? "" : "?…"}`;
};
