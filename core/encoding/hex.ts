/**
 * Bytes as lowercase hex, and SHA-256 as hex. Hot paths use them (every ingest request
 * hashes its API key, every event id is hex), so hex comes from a table and SHA-256 from
 * the runtime's synchronous `node:crypto` when it has one (Node, Deno): Web Crypto's
 * digest is asynchronous, and its job and promise cost more than the hash of a short key.
 */

const byteHex = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/**
 * @example
 * bytesToHex(new Uint8Array([0, 171])) // "00ab"
 */
export const bytesToHex = (bytes: Uint8Array): string => {
  let hex = "";
  for (const byte of bytes) hex += byteHex[byte];
  return hex;
};

interface SyncHashing {
  createHash(algorithm: "sha256"): { update(data: string | Uint8Array): { digest(encoding: "hex"): string } };
}

// Looked up at run time, not imported, so runtimes without it keep to Web Crypto.
const nodeCrypto = (
  globalThis as { readonly process?: { readonly getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.("node:crypto") as SyncHashing | undefined;

/**
 * SHA-256 of a string (UTF-8) or bytes, hex.
 *
 * @example
 * await sha256Hex("abc") // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
 */
export const sha256Hex = async (data: string | Uint8Array): Promise<string> =>
  nodeCrypto === undefined ? webCryptoSha256Hex(data) : nodeCrypto.createHash("sha256").update(data).digest("hex");

/** The same through Web Crypto: what runtimes without `node:crypto` use. */
export const webCryptoSha256Hex = async (data: string | Uint8Array): Promise<string> => {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return bytesToHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)));
};
