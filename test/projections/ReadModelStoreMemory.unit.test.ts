import { layerMemory } from "../../core/projections/ReadModelStoreMemory.ts";
import { readModelStoreContract } from "./readModelStoreContract.ts";

readModelStoreContract("memory", layerMemory);
