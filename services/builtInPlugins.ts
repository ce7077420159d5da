/** The plugins every Anansky process loads; third-party ones come from ANANSKY_PLUGINS. */
import type { Plugin } from "../core/index.ts";
import { devicesPlugin } from "../plugins/devices/index.ts";

export const builtInPlugins: ReadonlyArray<Plugin> = [devicesPlugin];
