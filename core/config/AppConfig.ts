/**
 * Configuration from environment variables, validated with Schema at start. The Python
 * system's names keep working (MONGODB_URI, DATABASE_NAME, KAFKA_BOOTSTRAP_SERVERS,
 * KAFKA_GROUP_ID, MODE, CONSUMER_TYPE); the rest are Anansky's own.
 */
import { Context, Effect, Layer, Result, Schema, SchemaGetter, SchemaIssue } from "effect";
import { OutboundAddressRangeList, OutboundHostList } from "../outbound/outboundPolicy.ts";
import { ConfigInvalid } from "./Errors.ts";

const withDefault = <S extends Schema.Codec<unknown, string>>(schema: S, value: string) =>
  schema.pipe(Schema.withDecodingDefaultKey(Effect.succeed(value)));

const PositiveIntFromString = Schema.FiniteFromString.check(Schema.isInt(), Schema.isGreaterThan(0));
const CommaList = Schema.String.pipe(
  Schema.decodeTo(Schema.Array(Schema.String), {
    decode: SchemaGetter.transform((s: string) =>
      s
        .split(",")
        .map((part) => part.trim())
        .filter((part) => part !== ""),
    ),
    encode: SchemaGetter.transform((parts: ReadonlyArray<string>) => parts.join(",")),
  }),
);

/** The environment variables Anansky reads, with their defaults. */
export const AppConfigFromEnv = Schema.Struct({
  MONGODB_URI: Schema.String.check(Schema.isPattern(/^mongodb(\+srv)?:\/\//, { message: "must be a mongodb:// URI" })),
  DATABASE_NAME: withDefault(Schema.String.check(Schema.isPattern(/^[A-Za-z0-9_-]{1,63}$/)), "anansky"),
  KAFKA_BOOTSTRAP_SERVERS: Schema.String.check(Schema.isMinLength(1)),
  /** Prefix of every topic: `<prefix>.<event family>`, `<prefix>.deadletter`. */
  ANANSKY_TOPIC_PREFIX: withDefault(Schema.String.check(Schema.isPattern(/^[A-Za-z0-9._-]{1,100}$/)), "anansky"),
  /** Prefix of every consumer group this deployment joins. */
  KAFKA_GROUP_ID: withDefault(Schema.String.check(Schema.isMinLength(1)), "anansky"),
  /** server: HTTP API only; consumer: plugin handlers only; all: both in one process. */
  MODE: withDefault(Schema.Literals(["server", "consumer", "all"]), "all"),
  /** In consumer mode, run only this plugin's handlers (Python names map to plugin ids). */
  CONSUMER_TYPE: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1))),
  PORT: withDefault(PositiveIntFromString.check(Schema.isLessThanOrEqualTo(65535)), "8080"),
  HOST: withDefault(Schema.String, "127.0.0.1"),
  LOG_LEVEL: withDefault(Schema.Literals(["trace", "debug", "info", "warn", "error"]), "info"),
  /** Module paths or package names of third-party plugins, comma-separated. */
  ANANSKY_PLUGINS: withDefault(CommaList, ""),
  /** Bearer token of the admin API; without it the admin API refuses every request. */
  ANANSKY_ADMIN_TOKEN: Schema.optionalKey(
    Schema.String.check(Schema.isMinLength(16, { message: "must be at least 16 characters" })),
  ),
  /** Ingest limits (see plugins/ingest/README.md). */
  ANANSKY_INGEST_MAX_BODY_BYTES: withDefault(PositiveIntFromString, "1048576"),
  ANANSKY_INGEST_MAX_READINGS: withDefault(PositiveIntFromString, "1000"),
  ANANSKY_INGEST_MAX_VALUES: withDefault(PositiveIntFromString, "100"),
  ANANSKY_INGEST_MAX_STRING_LENGTH: withDefault(PositiveIntFromString, "256"),
  ANANSKY_INGEST_MAX_FUTURE_MS: withDefault(PositiveIntFromString, "300000"),
  ANANSKY_INGEST_MAX_AGE_MS: withDefault(PositiveIntFromString, "31536000000"),
  ANANSKY_INGEST_RATE_PER_SECOND: withDefault(PositiveIntFromString, "200"),
  ANANSKY_INGEST_RATE_BURST: withDefault(PositiveIntFromString, "2000"),
  ANANSKY_INGEST_IDEMPOTENCY_TTL_MS: withDefault(PositiveIntFromString, "86400000"),
  ANANSKY_READINGS_MAX_LIMIT: withDefault(PositiveIntFromString, "5000"),
  /** Handler attempts before a message goes to the dead-letter topic. */
  ANANSKY_HANDLER_MAX_ATTEMPTS: withDefault(PositiveIntFromString, "5"),
  ANANSKY_HANDLER_RETRY_BASE_MS: withDefault(PositiveIntFromString, "200"),
  /** How long a consumer group remembers the events it handled (redeliveries are deduplicated within it). */
  ANANSKY_PROCESSED_RETENTION_MS: withDefault(PositiveIntFromString, "86400000"),
  /** Unpublished events older than this are re-published by the sweeper. */
  ANANSKY_SWEEP_AFTER_MS: withDefault(PositiveIntFromString, "30000"),
  /** Hosts outbound HTTP may call (host, host:port, *.domain, [ipv6]:port, or *); empty refuses all. */
  ANANSKY_OUTBOUND_ALLOW_HOSTS: withDefault(OutboundHostList, ""),
  /** Non-public addresses outbound HTTP may connect to anyway (ip, ip/len, ip:port, [ipv6/len]:port). */
  ANANSKY_OUTBOUND_ALLOW_PRIVATE: withDefault(OutboundAddressRangeList, ""),
  /** Largest outbound response body read, in bytes. */
  ANANSKY_OUTBOUND_MAX_RESPONSE_BYTES: withDefault(PositiveIntFromString, "1048576"),
  /** Redirects an outbound request follows, each one checked again. */
  ANANSKY_OUTBOUND_MAX_REDIRECTS: withDefault(
    Schema.FiniteFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 0, maximum: 20 })),
    "5",
  ),
});

export type AppConfigValues = typeof AppConfigFromEnv.Type;

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1();

/**
 * Decodes the environment, reporting every problem at once.
 *
 * @example
 * const config = yield* decodeAppConfig(process.env); // fails with ConfigInvalid listing each variable
 */
export const decodeAppConfig = (
  env: Readonly<Record<string, string | undefined>>,
): Effect.Effect<AppConfigValues, ConfigInvalid> => {
  const result = Schema.decodeUnknownResult(AppConfigFromEnv)(env, { errors: "all" });
  if (Result.isSuccess(result)) return Effect.succeed(result.success);
  const issues = formatIssues(result.failure.issue).issues.map((issue) => ({
    variable: issue.path?.map(String).join(".") ?? "",
    message: issue.message,
  }));
  return Effect.fail(new ConfigInvalid({ issues }));
};

/** The validated configuration as a service. */
export class AppConfig extends Context.Service<AppConfig, AppConfigValues>()("anansky/AppConfig") {
  /** Reads and validates the given environment (services pass `process.env`). */
  static readonly fromEnv = (env: Readonly<Record<string, string | undefined>>) =>
    Layer.effect(AppConfig, decodeAppConfig(env));
}
