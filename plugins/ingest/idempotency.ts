/**
 * Idempotency-Key: a retried request stores nothing twice and gets the first response.
 * Two mechanisms, because either alone has a hole:
 * - event ids are derived from (tenant, credential key id, Idempotency-Key, item index), so
 *   a retry appends the same ids and the store keeps one copy, even when two copies of the
 *   request race or the first crashed after its append but before answering;
 * - the response is kept in `idempotency_keys` for the TTL and replayed as is, with the
 *   request's fingerprint, so reusing a key for another request is refused (422).
 * FerretDB has no TTL indexes: an expired entry is ignored when read, and every so often
 * a save also deletes a page of expired entries.
 */
import { Effect, Option, Result } from "effect";
import {
  derivedEventId,
  type EventId,
  ReadModelStore,
  type ReadModelStoreUnavailable,
  sha256Hex,
  ValidationFailed,
} from "../../core/index.ts";
import { IdempotencyKeyReused } from "./Errors.ts";

export const idempotencyCollection = "idempotency_keys";

/** Whose retry it is: keys are per credential, so two devices may use the same key. */
export interface IdempotencyScope {
  readonly tenantId: string;
  readonly credentialKeyId: string;
  readonly idempotencyKey: string;
}

// Visible ASCII, like the UUIDs and ULIDs clients usually send.
const keyPattern = /^[\x21-\x7e]+$/;

/**
 * The Idempotency-Key header, if any (quotes of a structured-field string are removed).
 *
 * @example
 * parseIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"', 200) // Result.succeed("8e03978e-...")
 */
export const parseIdempotencyKey = (
  header: string | undefined,
  maxLength: number,
): Result.Result<string | undefined, ValidationFailed> => {
  if (header === undefined) return Result.succeed(undefined);
  const key = /^"(.*)"$/.exec(header.trim())?.[1] ?? header.trim();
  if (key.length >= 1 && key.length <= maxLength && keyPattern.test(key)) return Result.succeed(key);
  const reason = `must be 1 to ${maxLength} visible ASCII characters`;
  return Result.fail(
    new ValidationFailed({ detail: `Idempotency-Key ${reason}`, errors: [{ field: "Idempotency-Key", reason }] }),
  );
};

/**
 * The id of item `index`'s event: the same for every retry. UUIDv7 ids carry a time: the
 * reading's own ts when it has one, else the UTC day of the request (a retry of a reading
 * without ts that crosses midnight and finds no saved response would be stored again).
 *
 * @example
 * const id = derivedReadingId(scope, 3, reading.tsGiven ? reading.tsMs : startOfUtcDay(now));
 */
export const derivedReadingId = (scope: IdempotencyScope, index: number, timestampMs: number): EventId =>
  derivedEventId(`ingest|${scope.tenantId}|${scope.credentialKeyId}|${scope.idempotencyKey}|${index}`, timestampMs);

/**
 * Midnight UTC of the day holding `nowMs`.
 *
 * @example
 * startOfUtcDay(Date.parse("2025-03-01T10:15:00Z")) // Date.parse("2025-03-01T00:00:00Z")
 */
export const startOfUtcDay = (nowMs: number): number => Math.floor(nowMs / 86_400_000) * 86_400_000;

/**
 * SHA-256 over what makes a request this request: how it was read and its bytes.
 *
 * @example
 * const fingerprint = yield* requestFingerprint(["v2", "json"], bodyBytes);
 */
export const requestFingerprint = (parts: ReadonlyArray<string>, body: Uint8Array): Effect.Effect<string> =>
  Effect.promise(() => {
    const head = new TextEncoder().encode(`${parts.join("\n")}\n\n`);
    const all = new Uint8Array(head.byteLength + body.byteLength);
    all.set(head);
    all.set(body, head.byteLength);
    return sha256Hex(all);
  });

const documentIdOf = (scope: IdempotencyScope) => `${scope.tenantId}|${scope.credentialKeyId}|${scope.idempotencyKey}`;

export interface SavedResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface IdempotentResponses {
  /** The saved response of an earlier request with this key; IdempotencyKeyReused if that request differed. */
  find(
    scope: IdempotencyScope,
    fingerprint: string,
    nowMs: number,
  ): Effect.Effect<Option.Option<SavedResponse>, IdempotencyKeyReused | ReadModelStoreUnavailable, ReadModelStore>;
  /** Saves a response; a failure is logged, not raised (the events are stored: a retry re-derives their ids). */
  save(
    scope: IdempotencyScope,
    fingerprint: string,
    response: SavedResponse,
    nowMs: number,
  ): Effect.Effect<void, never, ReadModelStore>;
}

/**
 * @example
 * const responses = makeIdempotentResponses({ ttlMs: 86_400_000 });
 * const replay = yield* responses.find(scope, fingerprint, now);
 */
export const makeIdempotentResponses = (options: {
  readonly ttlMs: number;
  /** A save purges expired entries once every this many saves. */
  readonly purgeEvery?: number | undefined;
}): IdempotentResponses => {
  let saves = 0;
  let indexed = false;
  const purgeExpired = (nowMs: number) =>
    Effect.gen(function* () {
      const store = yield* ReadModelStore;
      if (!indexed) yield* store.ensureIndexes(idempotencyCollection, [{ keys: { expiresAt: 1 } }]);
      indexed = true;
      const expired = yield* store.find(idempotencyCollection, { expiresAt: { $lt: nowMs } }, { limit: 500 });
      yield* store.writeMany(
        idempotencyCollection,
        expired.map((entry) => ({ id: entry._id, doc: undefined })),
      );
    });

  return {
    find: (scope, fingerprint, nowMs) =>
      Effect.gen(function* () {
        const store = yield* ReadModelStore;
        const found = yield* store.get(idempotencyCollection, documentIdOf(scope));
        if (Option.isNone(found) || Number(found.value.expiresAt) <= nowMs) return Option.none<SavedResponse>();
        if (found.value.fingerprint !== fingerprint) {
          return yield* new IdempotencyKeyReused({
            message: `Idempotency-Key ${scope.idempotencyKey} was used for a different request`,
            status: 422,
          });
        }
        return Option.some({
          status: Number(found.value.status),
          body: JSON.parse(String(found.value.body)) as unknown,
        });
      }),
    save: (scope, fingerprint, response, nowMs) =>
      Effect.gen(function* () {
        const store = yield* ReadModelStore;
        // The body is kept as JSON text: no field-name rules of the database apply to it.
        const doc = {
          fingerprint,
          status: response.status,
          body: JSON.stringify(response.body),
          createdAt: new Date(nowMs).toISOString(),
          expiresAt: nowMs + options.ttlMs,
        };
        yield* store.writeMany(idempotencyCollection, [{ id: documentIdOf(scope), doc }]);
        if (++saves % (options.purgeEvery ?? 1_000) === 0) yield* purgeExpired(nowMs);
      }).pipe(
        Effect.catch((error) => Effect.logWarning(`ingest: could not save an idempotent response: ${error._tag}`)),
      ),
  };
};
