/**
 * Keeps secrets out of logs: values under secret-sounding keys are replaced, and
 * credentials inside strings (bearer tokens, Anansky API keys, passwords in URLs)
 * are masked wherever they appear.
 */

export const redactedMarker = "[REDACTED]";

// Compared with the key lower-cased and without "-" / "_": "x-api-key" -> "xapikey".
const secretKeyParts = ["authorization", "password", "passwd", "secret", "token", "apikey", "cookie", "credential"];
const secretKeys = new Set(["key", "privatekey", "adminkey", "keyhash", "signature"]);

/**
 * Whether a value stored under `key` must not be logged.
 *
 * @example
 * isSecretKey("Authorization"); // true
 * isSecretKey("deviceId"); // false
 */
export const isSecretKey = (key: string): boolean => {
  const normalized = key.toLowerCase().replace(/[-_]/g, "");
  return secretKeys.has(normalized) || secretKeyParts.some((part) => normalized.includes(part));
};

const stringSecrets: ReadonlyArray<readonly [RegExp, string]> = [
  // At least 8 characters, so prose such as "basic auth" or "Bearer token" stays readable.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${redactedMarker}`],
  [/\bak_[td]_[A-Za-z0-9_-]+/g, redactedMarker],
  // scheme://user:password@host
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, `$1${redactedMarker}@`],
];

/**
 * Masks credentials inside free text.
 *
 * @example
 * redactString("retrying with Authorization: Bearer abc.def"); // "retrying with Authorization: Bearer [REDACTED]"
 */
export const redactString = (text: string): string =>
  stringSecrets.reduce((current, [pattern, replacement]) => current.replace(pattern, replacement), text);

const maxDepth = 8;

/**
 * A JSON-safe copy of `value` with secrets removed (errors become name/message/stack,
 * cycles and depth beyond 8 are cut).
 *
 * @example
 * redact({ headers: { authorization: "Bearer x" }, deviceId: "d1" });
 * // { headers: { authorization: "[REDACTED]" }, deviceId: "d1" }
 */
export const redact = (value: unknown, seen: WeakSet<object> = new WeakSet(), depth = 0): unknown => {
  if (typeof value === "string") return redactString(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "object" || value === null) return typeof value === "function" ? undefined : value;
  if (seen.has(value) || depth >= maxDepth) return "[…]";
  seen.add(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => redact(item, seen, depth + 1));
  const source: Record<string, unknown> =
    value instanceof Error ? { ...value, name: value.name, message: value.message, stack: value.stack } : { ...value };
  if (value instanceof Map) return redact(Object.fromEntries(value), seen, depth + 1);
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(source)) {
    copy[key] =
      isSecretKey(key) && inner !== null && inner !== undefined ? redactedMarker : redact(inner, seen, depth + 1);
  }
  return copy;
};
