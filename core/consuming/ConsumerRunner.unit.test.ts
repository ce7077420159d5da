import { Layer } from "effect";
import { layerMemory as busMemory } from "../bus/EventBusMemory.ts";
import { EventRegistry } from "../events/EventRegistry.ts";
import { Poked } from "./consumerRunnerFixtures.ts";
import { consumerRunnerSuite } from "./consumerRunnerSuite.ts";
import { DeadLetters } from "./DeadLetters.ts";
import { ProcessedEvents } from "./ProcessedEvents.ts";

consumerRunnerSuite("memory", () =>
  Layer.mergeAll(busMemory, EventRegistry.layer("test", [Poked]), ProcessedEvents.layerMemory, DeadLetters.layerMemory),
);
