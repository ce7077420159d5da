/**
 * Kinds of source: how a source fetches. A kind validates its own `options` and, for
 * each reading, plans one fetch: a cache key (equal keys share one fetch and one cache
 * entry) and the effect that fetches a JSON-like document. Everything around it — the
 * trigger, the timeout, retries, the circuit breaker, the cache, coalescing, the rate
 * limit and the response mapping — is the plugin's, the same for every kind.
 *
 * Kinds are contributed through `sourceKindExtensionPoint`; see README.md.
 */
import { Effect, type Redacted, Result, Schema } from "effect";
import {
  decodeRequest,
  defineExtensionPoint,
  type FieldIssue,
  type PluginServices,
  ValidationFailed,
} from "../../core/index.ts";
import type { SourceFetchFailed } from "./Errors.ts";

/** A reading as a kind sees it, with its device's attributes and tags (empty when unknown). */
export interface SourceReading {
  readonly tenantId: string;
  readonly deviceId: string;
  /** ISO 8601. */
  readonly ts: string;
  readonly values: Readonly<Record<string, string | number | boolean>>;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
  readonly tags: ReadonlyArray<string>;
}

/** What the plugin hands a kind for one reading. */
export interface SourceCall {
  readonly sourceId: string;
  readonly reading: SourceReading;
  /** The source's timeout per attempt: pass it on to I/O so that it stops in time too. */
  readonly timeoutMs: number;
  /** A secret of the tenant by name (never log it; it stays Redacted until used). */
  readonly secret: (name: string) => Effect.Effect<Redacted.Redacted<string>, SourceFetchFailed, PluginServices>;
}

/** One planned fetch (`R`: the services its fetch needs; kinds get the plugin services). */
export interface SourcePlan<R = PluginServices> {
  /** Equal keys (within one source) share a fetch in flight and a cache entry. */
  readonly cacheKey: string;
  /** Fetches the document the mapping's JSON pointers read. */
  readonly fetch: Effect.Effect<unknown, SourceFetchFailed, R>;
}

/** A kind as its author writes it. */
export interface SourceKindDefinition<S extends Schema.Codec<unknown, unknown>> {
  /** The `kind` sources name, e.g. "http-json". */
  readonly kind: string;
  /** One line for `GET /v1/external-source-kinds`. */
  readonly description: string;
  /** The shape of `options`; decoded with every issue reported under `options.`. */
  readonly options: S;
  /** Further checks when a source is saved (e.g. the URL's host is allow-listed). */
  readonly validate?:
    | ((options: S["Type"]) => Effect.Effect<ReadonlyArray<FieldIssue>, never, PluginServices>)
    | undefined;
  /** One fetch for one reading, or why this reading cannot be served (it is then flagged unavailable). */
  readonly plan: (options: S["Type"], call: SourceCall) => Result.Result<SourcePlan, string>;
}

/** A kind as the plugin holds it: options arrive as stored (unknown) and are decoded here. */
export interface SourceKind {
  readonly kind: string;
  readonly description: string;
  /** Decodes and validates options for saving; issues are named `options.<path>`. */
  readonly check: (options: unknown) => Effect.Effect<void, ValidationFailed, PluginServices>;
  readonly plan: (options: unknown, call: SourceCall) => Result.Result<SourcePlan, string>;
}

/**
 * @example
 * export const constantKind = defineSourceKind({
 *   kind: "constant",
 *   description: "Always the same document (for demos)",
 *   options: Schema.Struct({ document: Schema.Unknown }),
 *   plan: (options) => Result.succeed({ cacheKey: "constant", fetch: Effect.succeed(options.document) }),
 * });
 */
export const defineSourceKind = <S extends Schema.Codec<unknown, unknown>>(
  definition: SourceKindDefinition<S>,
): SourceKind => {
  const decode = Schema.decodeUnknownResult(definition.options as unknown as Schema.Codec<S["Type"], unknown>);
  return {
    kind: definition.kind,
    description: definition.description,
    check: (options) =>
      Effect.gen(function* () {
        const decoded = yield* decodeRequest(definition.options, options, "options");
        const issues = definition.validate === undefined ? [] : yield* definition.validate(decoded);
        if (issues.length > 0) {
          return yield* new ValidationFailed({ detail: "the source's options are not usable", errors: issues });
        }
      }),
    plan: (options, call) => {
      const decoded = decode(options);
      return Result.isFailure(decoded)
        ? Result.fail(`options no longer match kind ${definition.kind}: ${decoded.failure.message}`)
        : definition.plan(decoded.success, call);
    },
  };
};

/**
 * Where kinds are contributed. The plugin contributes `http-json` and `sun-position`.
 *
 * @example
 * // another plugin, with dependsOn: ["external-source"]
 * api.extend(sourceKindExtensionPoint, tideTableKind);
 */
export const sourceKindExtensionPoint = defineExtensionPoint<SourceKind>("external-source/source-kind");
