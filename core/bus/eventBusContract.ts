/**
 * The behaviour every EventBus layer promises, written once and run against each layer
 * (EventBusMemory.unit.test.ts, test/bus/EventBusKafka.int.test.ts). Each test uses its
 * own topics and groups, so one layer (and one real broker) serves the whole suite.
 */
import { layer } from "@effect/vitest";
import type { Layer } from "effect";
import type { EventBus } from "./EventBus.ts";
import { commitContract } from "./eventBusCommitContract.ts";
import { contractTools } from "./eventBusContractFixtures.ts";
import { deliveryContract } from "./eventBusDeliveryContract.ts";

export interface EventBusContractOptions {
  /** How long to wait for deliveries and offsets before a test fails (default 30 s). */
  readonly timeoutMs?: number | undefined;
}

/**
 * Registers the EventBus contract suite for `busLayer`: delivery (content, per-key
 * order, one partition per batch, groups, concurrency) and commits (commit after
 * success, redelivery, resume, graceful shutdown, topics, lag).
 *
 * @example
 * eventBusContract("memory", layerMemory);
 * eventBusContract("Kafka", layerKafka({ bootstrapServers }), { timeoutMs: 60_000 });
 */
export const eventBusContract = (
  name: string,
  busLayer: Layer.Layer<EventBus, unknown>,
  options: EventBusContractOptions = {},
): void => {
  const tools = contractTools(options.timeoutMs ?? 30_000);
  // Live clock: deliveries, backoffs and the real broker run in real time.
  layer(busLayer, { excludeTestServices: true, timeout: "120 seconds" })(`EventBus contract: ${name}`, (it) => {
    deliveryContract(it, tools);
    commitContract(it, tools);
  });
};
