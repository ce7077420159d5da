import { Schema } from "effect";

/** A plugin could not be loaded: the message names the plugin and what is wrong. */
export class PluginLoadError extends Schema.TaggedError<PluginLoadError>()("PluginLoadError", {
  pluginId: Schema.String,
  reason: Schema.String,
}) {
  override get message(): string {
    return `plugin "${this.pluginId}": ${this.reason}`;
  }
}
