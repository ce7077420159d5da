/**
 * The services a plugin's handlers and routes may use. Plugins get these and nothing else
 * from the platform (they bring their own state in their closures).
 */
import type { AppConfig } from "../config/AppConfig.ts";
import type { EventRegistry } from "../events/EventRegistry.ts";
import type { OutboundHttp } from "../outbound/OutboundHttp.ts";
import type { ReadModelStore } from "../projections/ReadModelStore.ts";
import type { EventWriter } from "../publishing/EventWriter.ts";
import type { EventStore } from "../store/EventStore.ts";

export type PluginServices = EventWriter | EventStore | EventRegistry | AppConfig | ReadModelStore | OutboundHttp;
