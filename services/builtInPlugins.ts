/** The plugins every Anansky process loads; third-party ones come from ANANSKY_PLUGINS. */
import type { AppConfigValues, Plugin } from "../core/index.ts";
import { alertRulesPlugin } from "../plugins/alert-rules/index.ts";
import { devicesPlugin } from "../plugins/devices/index.ts";
import { externalSourcePlugin } from "../plugins/external-source/index.ts";
import { defaultIngestLimits, makeIngestPlugin } from "../plugins/ingest/index.ts";
import { webhookNotifierPlugin } from "../plugins/webhook-notifier/index.ts";

/** The ingest plugin with the limits the environment sets. */
const ingestFromConfig = (config: AppConfigValues) =>
  makeIngestPlugin({
    ...defaultIngestLimits,
    maxBodyBytes: config.ANANSKY_INGEST_MAX_BODY_BYTES,
    maxReadingsPerRequest: config.ANANSKY_INGEST_MAX_READINGS,
    maxValuesPerReading: config.ANANSKY_INGEST_MAX_VALUES,
    maxStringLength: config.ANANSKY_INGEST_MAX_STRING_LENGTH,
    maxFutureSkewMs: config.ANANSKY_INGEST_MAX_FUTURE_MS,
    maxAgeMs: config.ANANSKY_INGEST_MAX_AGE_MS,
    ratePerSecond: config.ANANSKY_INGEST_RATE_PER_SECOND,
    rateBurst: config.ANANSKY_INGEST_RATE_BURST,
    idempotencyTtlMs: config.ANANSKY_INGEST_IDEMPOTENCY_TTL_MS,
    maxReadingsPageSize: config.ANANSKY_READINGS_MAX_LIMIT,
  });

export const builtInPlugins = (config: AppConfigValues): ReadonlyArray<Plugin> => [
  devicesPlugin,
  ingestFromConfig(config),
  externalSourcePlugin,
  alertRulesPlugin,
  webhookNotifierPlugin,
];

/** The ids of the built-in plugins (test harnesses load only the others from ANANSKY_PLUGINS). */
export const builtInPluginIds: ReadonlyArray<string> = [
  "devices",
  "ingest",
  "external-source",
  "alert-rules",
  "webhook-notifier",
];
