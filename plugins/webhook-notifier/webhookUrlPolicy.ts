/**
 * Which URLs may receive webhooks. HTTPS only, to a public host: no credentials in the
 * URL, no loopback, private, link-local, CGNAT, multicast or unspecified address literals,
 * no `localhost`. A host on the allow-list (ANANSKY_WEBHOOK_ALLOWED_HOSTS: `host` or
 * `host:port`, comma-separated) may use any of those and plain HTTP too.
 *
 * Names are checked as written: a public name that resolves to a private address is not
 * caught here (plugins have no resolver); deliveries never follow redirects, which closes
 * the easy way around it.
 */
import { Result } from "effect";

const ipv4Pattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

const isPrivateIpv4 = (host: string): boolean => {
  const match = ipv4Pattern.exec(host);
  if (match === null) return false;
  const [a, b] = [Number(match[1]), Number(match[2])];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    a >= 224
  );
};

const isPrivateIpv6 = (host: string): boolean => {
  if (!host.startsWith("[")) return false;
  const address = host.slice(1, -1).toLowerCase();
  if (address === "::" || address === "::1") return true;
  if (/^f[cd]/.test(address) || /^fe[89ab]/.test(address) || address.startsWith("ff")) return true;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  if (mapped?.[1] !== undefined) return isPrivateIpv4(mapped[1]);
  // ::ffff:7f00:1 style (hex) mapped addresses: refuse them all rather than decode.
  return address.startsWith("::ffff:");
};

const isLocalName = (host: string): boolean => host === "localhost" || host.endsWith(".localhost");

/**
 * Whether the URL's host is on the allow-list (`host` or `host:port`).
 *
 * @example
 * isAllowListed(new URL("http://127.0.0.1:9000/hook"), ["127.0.0.1:9000"]) // true
 */
export const isAllowListed = (url: URL, allowedHosts: ReadonlyArray<string>): boolean => {
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return allowedHosts.some((entry) => {
    const allowed = entry.trim().toLowerCase();
    return allowed === host || allowed === `${host}:${port}`;
  });
};

/**
 * The URL if a webhook may be sent to it, else why not.
 *
 * @example
 * checkWebhookUrl("https://hooks.example.com/anansky", []) // Result.succeed(URL)
 * checkWebhookUrl("https://10.0.0.5/hook", [])             // Result.fail("…private…")
 */
export const checkWebhookUrl = (text: string, allowedHosts: ReadonlyArray<string>): Result.Result<URL, string> => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return Result.fail("is not a URL");
  }
  if (url.username !== "" || url.password !== "") return Result.fail("must not carry credentials");
  if (url.protocol !== "https:" && url.protocol !== "http:") return Result.fail("must be an https URL");
  if (isAllowListed(url, allowedHosts)) return Result.succeed(url);
  if (url.protocol !== "https:") return Result.fail("must be an https URL (plain http only for allow-listed hosts)");
  const host = url.hostname.toLowerCase();
  if (isLocalName(host) || isPrivateIpv4(host) || isPrivateIpv6(host)) {
    return Result.fail("must not point at a loopback, private or link-local address (unless allow-listed)");
  }
  return Result.succeed(url);
};
