/**
 * Event ids are UUIDv7: time-ordered, so sorting by id gives recorded order, and
 * generated anywhere without coordination (Web Crypto only: Deno and Node alike).
 */
import { Schema } from "effect";
import { bytesToHex } from "../encoding/hex.ts";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * A UUIDv7 event id.
 *
 * @example
 * const id: EventId = newEventId();
 */
export const EventId = Schema.String.check(Schema.isPattern(uuidPattern)).pipe(Schema.brand("EventId"));
export type EventId = typeof EventId.Type;

// Random bytes drawn in blocks: one getRandomValues call per id cost more than the id.
const randomBlock = new Uint8Array(4_096);
let randomUsed = randomBlock.length;
const randomTenBytes = (): Uint8Array => {
  if (randomUsed + 10 > randomBlock.length) {
    crypto.getRandomValues(randomBlock);
    randomUsed = 0;
  }
  randomUsed += 10;
  return randomBlock.subarray(randomUsed - 10, randomUsed);
};

const formatUuidV7 = (timestampMs: number, random: Uint8Array): EventId => {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, Math.floor(timestampMs / 2 ** 32));
  view.setUint32(2, timestampMs % 2 ** 32);
  bytes.set(random.subarray(0, 10), 6);
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const h = bytesToHex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` as EventId;
};

/**
 * A fresh UUIDv7 for the given time (default: now).
 *
 * @example
 * newEventId() // "01937c5e-8a4b-7c3d-9e2f-0a1b2c3d4e5f"
 */
export const newEventId = (timestampMs: number = Date.now()): EventId => formatUuidV7(timestampMs, randomTenBytes());

/**
 * The smallest id of a millisecond: `readAll({ after: eventIdFloor(t) })` reads what was
 * recorded from `t` on (events with fresh ids; derived ids carry their cause's time).
 *
 * @example
 * eventIdFloor(Date.parse("2026-01-01T00:00:00Z")) // "019b76da-4c00-7000-8000-000000000000"
 */
export const eventIdFloor = (timestampMs: number): EventId =>
  formatUuidV7(Math.max(0, timestampMs), new Uint8Array(10));

/**
 * A UUIDv7 derived from a seed: the same seed always gives the same id. Handlers give the
 * events they append ids derived from the event that caused them, so a redelivered
 * message appends nothing new (the store keeps one copy of an id).
 *
 * @example
 * const id = derivedEventId(`${cause.id}/alert-rules/0`, Date.parse(cause.recordedAt));
 */
export const derivedEventId = (seed: string, timestampMs: number): EventId => formatUuidV7(timestampMs, hash128(seed));

// cyrb128: a fast non-cryptographic 128-bit string hash; ids need spread, not secrecy.
const hash128 = (text: string): Uint8Array => {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setUint32(0, (h1 ^ h2 ^ h3 ^ h4) >>> 0);
  view.setUint32(4, (h2 ^ h1) >>> 0);
  view.setUint32(8, (h3 ^ h1) >>> 0);
  view.setUint32(12, (h4 ^ h1) >>> 0);
  return out;
};

/** The millisecond timestamp a UUIDv7 carries. */
export const eventIdTimestamp = (id: EventId): number => Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
