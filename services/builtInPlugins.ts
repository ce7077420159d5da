/** The plugins every Anansky process loads; third-party ones come from ANANSKY_PLUGINS. */
import type { Plugin } from "../core/index.ts";

export const builtInPlugins: ReadonlyArray<Plugin> = [];
