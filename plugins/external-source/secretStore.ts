/**
 * Secrets of a tenant's sources (API keys, tokens), kept apart from the sources: not in
 * events (those are kept forever and published to Kafka) but in their own collection,
 * `external_source_secrets`, one document per tenant and name, replaced or deleted in
 * place. Sources name them; the API never returns a value, and the enricher reads them
 * only when a fetch needs them, as Redacted values.
 */
import { Effect, Option, Redacted, Schema } from "effect";
import { ReadModelStore } from "../../core/index.ts";

export const secretsCollection = "external_source_secrets";

export const SecretName = Schema.String.check(
  Schema.isPattern(/^[a-z0-9][a-z0-9_-]{0,63}$/, {
    message: "secret names are 1-64 lower-case letters, digits, _ or -, starting with a letter or digit",
  }),
);

const secretId = (tenantId: string, name: string) => `${tenantId}|${name}`;

interface SecretDocument {
  readonly tenantId: string;
  readonly name: string;
  readonly value: string;
  readonly updatedAt: string;
}

/**
 * @example
 * yield* putSecret("acme", "weather-key", "k-123");
 */
export const putSecret = (tenantId: string, name: string, value: string) =>
  Effect.flatMap(ReadModelStore, (store) =>
    store.writeMany(secretsCollection, [
      { id: secretId(tenantId, name), doc: { tenantId, name, value, updatedAt: new Date().toISOString() } },
    ]),
  );

/**
 * Whether it existed.
 *
 * @example
 * const existed = yield* deleteSecret("acme", "weather-key");
 */
export const deleteSecret = (tenantId: string, name: string) =>
  Effect.gen(function* () {
    const store = yield* ReadModelStore;
    const found = yield* store.get(secretsCollection, secretId(tenantId, name));
    if (Option.isNone(found)) return false;
    yield* store.writeMany(secretsCollection, [{ id: secretId(tenantId, name), doc: undefined }]);
    return true;
  });

/**
 * Names and update times only.
 *
 * @example
 * const secrets = yield* listSecrets("acme"); // [{ name: "weather-key", updatedAt: "..." }]
 */
export const listSecrets = (tenantId: string) =>
  Effect.map(
    Effect.flatMap(ReadModelStore, (store) =>
      store.find(secretsCollection, { tenantId }, { sort: { name: 1 }, limit: 1_000 }),
    ),
    (documents) =>
      documents.map((document) => {
        const { name, updatedAt } = document as unknown as SecretDocument;
        return { name, updatedAt };
      }),
  );

/**
 * @example
 * const key = yield* readSecret("acme", "weather-key"); // Option<Redacted<string>>
 */
export const readSecret = (tenantId: string, name: string) =>
  Effect.map(
    Effect.flatMap(ReadModelStore, (store) => store.get(secretsCollection, secretId(tenantId, name))),
    Option.map((document) => Redacted.make((document as unknown as SecretDocument).value)),
  );
