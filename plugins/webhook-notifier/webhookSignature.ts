/**
 * Signing webhook deliveries, and checking them (for receivers and tests). Web Crypto
 * only, so Node and Deno alike.
 *
 * Every delivery carries:
 *   Anansky-Webhook-Id:        the notification request id (the same on every retry: dedupe on it)
 *   Anansky-Webhook-Timestamp: Unix seconds when this attempt was signed
 *   Anansky-Webhook-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 * A receiver recomputes the HMAC over the raw body bytes it received, compares in
 * constant time, and refuses timestamps more than 5 minutes away from its clock.
 */

/** The delivery headers (lower case, as Node's http module shows them). */
export const webhookHeaders = {
  id: "anansky-webhook-id",
  timestamp: "anansky-webhook-timestamp",
  signature: "anansky-webhook-signature",
  attempt: "anansky-webhook-attempt",
} as const;

const encoder = new TextEncoder();

const hex = (buffer: ArrayBuffer) =>
  Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");

const hmacHex = async (secret: string, message: string): Promise<string> => {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return hex(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
};

/**
 * The signature header value for a body signed at `timestampSeconds`.
 *
 * @example
 * await signWebhookBody("whsec_…", 1735689600, '{"id":"…"}') // "v1=5f2b…"
 */
export const signWebhookBody = async (secret: string, timestampSeconds: number, body: string): Promise<string> =>
  `v1=${await hmacHex(secret, `${timestampSeconds}.${body}`)}`;

const constantTimeEquals = (a: string, b: string): boolean => {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
};

/**
 * Whether a delivery is authentic and fresh.
 *
 * @example
 * const ok = await verifyWebhookSignature({
 *   secret, body: rawBody,
 *   timestamp: request.headers["anansky-webhook-timestamp"],
 *   signature: request.headers["anansky-webhook-signature"],
 * });
 */
export const verifyWebhookSignature = async (input: {
  readonly secret: string;
  readonly body: string;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly nowMs?: number | undefined;
  readonly toleranceSeconds?: number | undefined;
}): Promise<boolean> => {
  if (input.timestamp === undefined || input.signature === undefined || !/^\d{1,12}$/.test(input.timestamp)) {
    return false;
  }
  const timestamp = Number(input.timestamp);
  const now = (input.nowMs ?? Date.now()) / 1000;
  if (Math.abs(now - timestamp) > (input.toleranceSeconds ?? 300)) return false;
  const expected = await signWebhookBody(input.secret, timestamp, input.body);
  return input.signature
    .split(",")
    .map((part) => part.trim())
    .some((candidate) => constantTimeEquals(candidate, expected));
};
