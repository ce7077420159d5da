/**
 * Shared pieces of the EventBus contract suite (eventBusContract.ts): message factories,
 * a recording handler, and waits that poll instead of sleeping.
 */
import type { Vitest } from "@effect/vitest";
import { Effect } from "effect";
// Type-only: declares the harness's `inject` keys, which `deno check core` does not otherwise see.
import { eventually } from "../../test/harness/testEnvironment.ts";
import type { BatchHandler, EventBus, IncomingMessage, OutgoingMessage, PartitionLag } from "./EventBus.ts";

/** The `it` of a contract block: tests get the shared EventBus. */
export type ContractIt = Vitest.MethodsNonLive<EventBus>;

/** Waits and time limits of one contract run. */
export interface ContractTools {
  /** How long a wait may take before the test fails. */
  readonly timeoutMs: number;
  /** Vitest timeout of the slower tests. */
  readonly testTimeoutMs: number;
  /** Polls `check` until it returns a value (not undefined). */
  readonly waitFor: <A>(what: string, check: () => A | undefined | Promise<A | undefined>) => Effect.Effect<A>;
  /** Waits until the group has committed every message of `topics`. */
  readonly waitForZeroLag: (
    bus: EventBus["Service"],
    groupId: string,
    topics: ReadonlyArray<string>,
  ) => Effect.Effect<ReadonlyArray<PartitionLag>>;
}

/**
 * The waits of a contract run whose deliveries may take up to `timeoutMs`.
 *
 * @example
 * const { waitFor } = contractTools(30_000);
 * yield* waitFor("20 messages", () => (received.length >= 20 ? true : undefined));
 */
export const contractTools = (timeoutMs: number): ContractTools => {
  const waitFor = <A>(what: string, check: () => A | undefined | Promise<A | undefined>) =>
    Effect.promise(() => eventually(check, { what, timeoutMs }));
  const waitForZeroLag = (bus: EventBus["Service"], groupId: string, topics: ReadonlyArray<string>) =>
    waitFor(`zero lag for ${groupId}`, async () => {
      const rows = await Effect.runPromise(bus.lag(groupId, topics));
      return rows.length > 0 && rows.every((row) => row.lag === 0) ? rows : undefined;
    });
  return { timeoutMs, testTimeoutMs: timeoutMs * 2, waitFor, waitForZeroLag };
};

export interface Collected {
  readonly messages: Array<IncomingMessage>;
  readonly batches: Array<ReadonlyArray<IncomingMessage>>;
  readonly handle: BatchHandler;
}

/**
 * A handler that records every batch it is given.
 *
 * @example
 * const received = collector();
 * yield* bus.subscribe({ groupId, topics: [topic] }, received.handle);
 */
export const collector = (): Collected => {
  const messages: Array<IncomingMessage> = [];
  const batches: Array<ReadonlyArray<IncomingMessage>> = [];
  const handle: BatchHandler = (batch) =>
    Effect.sync(() => {
      batches.push(batch);
      messages.push(...batch);
    });
  return { messages, batches, handle };
};

/**
 * `count` JSON messages spread round-robin over `keyCount` keys, numbered per key.
 *
 * @example
 * yield* bus.publish(keyedMessages(topic, 500, 10)); // device-0..device-9, sequence 0..49 each
 */
export const keyedMessages = (topic: string, count: number, keyCount: number): Array<OutgoingMessage> =>
  Array.from({ length: count }, (_, index) => {
    const key = `device-${index % keyCount}`;
    const sequence = Math.floor(index / keyCount);
    return {
      topic,
      key,
      value: JSON.stringify({ key, sequence, note: "température 21.5°C" }),
      headers: { "event-id": `${key}:${sequence}`, "content-type": "application/json" },
    };
  });

/** The per-key sequence number of a message made by `keyedMessages`. */
export const sequenceOf = (message: IncomingMessage): number =>
  (JSON.parse(message.value) as { sequence: number }).sequence;

/** How many different values the messages carry (redeliveries count once). */
export const distinctValues = (messages: ReadonlyArray<IncomingMessage>): number =>
  new Set(messages.map((message) => message.value)).size;
