/**
 * What an external source is: its kind and kind-specific options, the mapping from its
 * answer to enrichment values, which readings trigger it, and its resilience settings.
 * `SourceSpecBody` is what the API accepts (defaults optional); `SourceSettings` is what
 * events store (every default filled in, so a later change of defaults changes nothing
 * already defined).
 */
import { Schema } from "effect";

const pattern = (regex: RegExp, message: string) => Schema.String.check(Schema.isPattern(regex, { message }));
const intBetween = (minimum: number, maximum: number) => Schema.Int.check(Schema.isBetween({ minimum, maximum }));

/** Lower-case letters, digits, `_` and `-`: safe in ids, field names and URLs. */
export const SourceId = pattern(
  /^[a-z0-9][a-z0-9_-]{0,63}$/,
  "source ids are 1-64 lower-case letters, digits, _ or -, starting with a letter or digit",
);

export const KindId = pattern(/^[a-z][a-z0-9-]{0,63}$/, "kinds are 1-64 lower-case letters, digits or -");

/** Enrichment keys become field names of read-model documents: no ".", no leading "$" or "_". */
export const EnrichmentKey = pattern(
  /^[A-Za-z][A-Za-z0-9_-]{0,63}$/,
  "enrichment keys are 1-64 letters, digits, _ or -, starting with a letter",
);

/** RFC 6901: "" is the whole document, "/main/temp" a member, "/list/0" an element. */
export const JsonPointer = pattern(/^(\/([^~]|~[01])*)*$/, 'a JSON pointer such as "/main/temp"').check(
  Schema.isMaxLength(256),
);

export const Mapping = Schema.Record(Schema.String, JsonPointer).check(
  Schema.isMinProperties(1),
  Schema.isMaxProperties(50),
  Schema.isPropertyNames(EnrichmentKey),
);
export type Mapping = typeof Mapping.Type;

/** Which readings fetch the source: all of them unless narrowed. */
export const Trigger = Schema.Struct({
  /** Only these devices (or those with one of `deviceTags`). */
  deviceIds: Schema.optionalKey(
    Schema.Array(pattern(/^[A-Za-z0-9._:-]{1,100}$/, "device ids are 1-100 letters, digits or . _ : -")).check(
      Schema.isMaxLength(1000),
    ),
  ),
  deviceTags: Schema.optionalKey(
    Schema.Array(pattern(/^[A-Za-z0-9._:-]{1,64}$/, "tags are 1-64 letters, digits or . _ : -")).check(
      Schema.isMaxLength(20),
    ),
  ),
  /** Only readings carrying at least one of these value keys. */
  valueKeys: Schema.optionalKey(
    Schema.Array(pattern(/^[A-Za-z0-9_.-]{1,64}$/, "value keys are 1-64 letters, digits or _ . -")).check(
      Schema.isMaxLength(50),
    ),
  ),
});
export type Trigger = typeof Trigger.Type;

export const RateLimit = Schema.Struct({
  /** Fetches per second on average (cache hits are free). */
  perSecond: Schema.Finite.check(Schema.isBetween({ minimum: 0.001, maximum: 10_000 })),
  /** Fetches allowed at once after a quiet spell. */
  burst: intBetween(1, 10_000),
});

export const CircuitBreakerSettings = Schema.Struct({
  /** Consecutive failed fetches that open the circuit. */
  failureThreshold: intBetween(1, 100),
  /** How long an open circuit refuses before one probe may try again. */
  openMs: intBetween(100, 3_600_000),
});

const commonFields = {
  name: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200)),
  kind: KindId,
  /** Kind-specific; checked by the kind's own schema. */
  options: Schema.Unknown,
  mapping: Mapping,
  trigger: Trigger,
  /** Per attempt. */
  timeoutMs: intBetween(50, 30_000),
  /** 0 disables caching (concurrent identical fetches are still coalesced). */
  cacheTtlMs: intBetween(0, 86_400_000),
  /** Further attempts after a retryable failure, with exponential backoff and jitter. */
  retries: intBetween(0, 5),
  rateLimit: RateLimit,
  circuitBreaker: CircuitBreakerSettings,
};

/** The defaults the API fills in. */
export const sourceDefaults = {
  options: {},
  trigger: {},
  timeoutMs: 2_000,
  cacheTtlMs: 60_000,
  retries: 2,
  rateLimit: { perSecond: 10, burst: 20 },
  circuitBreaker: { failureThreshold: 5, openMs: 30_000 },
} as const;

/** A source as stored in events and read models (without its id). */
export const SourceSettings = Schema.Struct(commonFields);
export type SourceSettings = typeof SourceSettings.Type;

/**
 * A source as the API accepts it (PUT body; POST adds `sourceId`).
 *
 * @example
 * { "kind": "http-json", "name": "Weather", "mapping": { "outside_temp": "/temperature_c" },
 *   "options": { "url": "https://api.weather.example/now?lat={attributes.lat|round:2}&lon={attributes.lon|round:2}" } }
 */
export const SourceSpecBody = Schema.Struct({
  name: commonFields.name,
  kind: commonFields.kind,
  options: Schema.optionalKey(Schema.Unknown),
  mapping: commonFields.mapping,
  trigger: Schema.optionalKey(commonFields.trigger),
  timeoutMs: Schema.optionalKey(commonFields.timeoutMs),
  cacheTtlMs: Schema.optionalKey(commonFields.cacheTtlMs),
  retries: Schema.optionalKey(commonFields.retries),
  rateLimit: Schema.optionalKey(commonFields.rateLimit),
  circuitBreaker: Schema.optionalKey(commonFields.circuitBreaker),
});
export type SourceSpecBody = typeof SourceSpecBody.Type;

export const CreateSourceBody = Schema.Struct({ sourceId: SourceId, ...SourceSpecBody.fields });

/**
 * The stored settings of a request body: every default filled in.
 *
 * @example
 * withDefaults({ name: "Sun", kind: "sun-position", mapping: { sun_elevation: "/elevationDeg" } }).cacheTtlMs // 60000
 */
export const withDefaults = (body: SourceSpecBody): SourceSettings => ({
  name: body.name,
  kind: body.kind,
  options: body.options ?? sourceDefaults.options,
  mapping: body.mapping,
  trigger: body.trigger ?? sourceDefaults.trigger,
  timeoutMs: body.timeoutMs ?? sourceDefaults.timeoutMs,
  cacheTtlMs: body.cacheTtlMs ?? sourceDefaults.cacheTtlMs,
  retries: body.retries ?? sourceDefaults.retries,
  rateLimit: body.rateLimit ?? sourceDefaults.rateLimit,
  circuitBreaker: body.circuitBreaker ?? sourceDefaults.circuitBreaker,
});
