import { layerMemory } from "./EventStoreMemory.ts";
import { eventStoreContract } from "./eventStoreContract.ts";

eventStoreContract("memory", layerMemory);
