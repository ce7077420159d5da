/**
 * The event definitions the loaded plugins declared: maps an event type to its definition
 * and its Kafka topic (one topic per event family).
 */
import { Context, Layer } from "effect";
import type { EventDefinition } from "./defineEvent.ts";

// biome-ignore lint/suspicious/noExplicitAny: a registry holds definitions of every payload type
export type AnyEventDefinition = EventDefinition<string, any>;

export interface EventRegistryShape {
  readonly definitions: ReadonlyMap<string, AnyEventDefinition>;
  /** The definition of a type, if a loaded plugin declared it. */
  definition(type: string): AnyEventDefinition | undefined;
  /** The topic events of this type are published to. Unknown types go to `<prefix>.unclassified`. */
  topicFor(type: string): string;
  /** The topic of a family, e.g. `topicOfFamily("telemetry")` = "anansky.telemetry". */
  topicOfFamily(family: string): string;
  /** Where handlers' poison messages end up. */
  readonly deadLetterTopic: string;
}

export class EventRegistry extends Context.Service<EventRegistry, EventRegistryShape>()("anansky/EventRegistry") {
  /**
   * @example
   * const registry = EventRegistry.make("anansky", [DeviceRegistered, TelemetryRecorded]);
   * registry.topicFor("TelemetryRecorded"); // "anansky.telemetry"
   */
  static readonly make = (topicPrefix: string, definitions: Iterable<AnyEventDefinition>): EventRegistryShape => {
    const byType = new Map<string, AnyEventDefinition>();
    for (const definition of definitions) {
      const existing = byType.get(definition.type);
      if (existing !== undefined && existing !== definition) {
        throw new Error(`event type ${definition.type} is declared twice`);
      }
      byType.set(definition.type, definition);
    }
    const topicOfFamily = (family: string) => `${topicPrefix}.${family}`;
    return {
      definitions: byType,
      definition: (type) => byType.get(type),
      topicFor: (type) => topicOfFamily(byType.get(type)?.family ?? "unclassified"),
      topicOfFamily,
      deadLetterTopic: topicOfFamily("deadletter"),
    };
  };

  static readonly layer = (topicPrefix: string, definitions: Iterable<AnyEventDefinition>) =>
    Layer.succeed(EventRegistry, EventRegistry.make(topicPrefix, definitions));
}
