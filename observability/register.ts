/**
 * The OpenTelemetry bootstrap, loaded before the application so auto-instrumentation
 * can patch node:http, mongodb and undici as they load:
 *
 * @example
 * // node --import ./observability/register.ts services/main.ts
 */
import { startTelemetry } from "./startTelemetry.ts";
import { installTelemetry } from "./telemetryHandle.ts";
import { telemetrySettings } from "./telemetrySettings.ts";

const settings = telemetrySettings(process.env);
if (!settings.disabled) installTelemetry(startTelemetry(settings, process.env.OTEL_LOG_LEVEL));
