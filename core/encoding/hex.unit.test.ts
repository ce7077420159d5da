import { assert, describe, it } from "@effect/vitest";
import { newEventId } from "../events/EventId.ts";
import { bytesToHex, sha256Hex, webCryptoSha256Hex } from "./hex.ts";

// FIPS 180-2's "abc" vector, and the empty input.
const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

describe("hex", () => {
  it("given bytes, then each is two lowercase hex digits, in order", () => {
    assert.strictEqual(bytesToHex(new Uint8Array([0, 1, 15, 16, 171, 255])), "00010f10abff");
    assert.strictEqual(bytesToHex(new Uint8Array()), "");
  });

  it("given strings and bytes, then both SHA-256 paths give the standard digests", async () => {
    for (const hash of [sha256Hex, webCryptoSha256Hex]) {
      assert.strictEqual(await hash("abc"), abc);
      assert.strictEqual(await hash(new TextEncoder().encode("abc")), abc);
      assert.strictEqual(await hash(""), empty);
      assert.strictEqual(await hash("zählen"), await webCryptoSha256Hex(new TextEncoder().encode("zählen")));
    }
  });

  it("given many event ids drawn from the random block, then all are distinct UUIDv7s", () => {
    const ids = Array.from({ length: 2_000 }, () => newEventId(1_700_000_000_000));
    assert.strictEqual(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^018bcfe5-6800-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
