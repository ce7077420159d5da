/**
 * A projection document as stored: the projection's fields plus `_applied`, the last
 * version of each stream folded into it, or a tombstone (`_deleted: true`) that keeps
 * `_applied` after `apply` deleted the document, so a late redelivery of an older event
 * cannot bring it back. Stream ids become field names, so the characters MongoDB refuses
 * in them ("." anywhere, "$" first) are percent-escaped, and "%" itself.
 */
import { Effect, Predicate } from "effect";
import type { AnyProjection } from "./defineProjection.ts";
import { ReadModelInternalKeys, type StoredDocument } from "./ReadModelStore.ts";

/** A loaded document while a batch is folded into it. */
export interface DocumentState {
  doc: Record<string, unknown> | undefined;
  /** Escaped stream id to the last version folded in. */
  readonly applied: Record<string, number>;
  /** The stored revision the batch's conditional write expects (0: none stored). */
  readonly revision: number;
  /** Whether the store had the document: one it did not have is written with an insert. */
  readonly stored: boolean;
  changed: boolean;
}

/**
 * The field name a stream id is stored under in `_applied`.
 *
 * @example
 * appliedKey("site.7/device-1") // "site%2E7/device-1"
 */
export const appliedKey = (streamId: string): string =>
  streamId.replace(/[%.$]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The state of a stored document (or of one not stored yet), its fields decoded with the
 * projection's stored form (left as stored when only the bookkeeping is wanted).
 *
 * @example
 * const state = documentStateOf(loaded.get(documentId), projection.storedForm.decode);
 */
export const documentStateOf = (
  stored: StoredDocument | undefined,
  decode: (fields: Record<string, unknown>) => Record<string, unknown> = (fields) => fields,
): DocumentState => {
  if (stored === undefined) return { doc: undefined, applied: {}, revision: 0, stored: false, changed: false };
  const {
    [ReadModelInternalKeys.applied]: applied,
    [ReadModelInternalKeys.deleted]: deleted,
    [ReadModelInternalKeys.revision]: revision,
    ...fields
  } = stored;
  const versions: Record<string, number> = {};
  if (Predicate.isObject(applied)) {
    for (const [key, version] of Object.entries(applied)) if (Predicate.isNumber(version)) versions[key] = version;
  }
  return {
    doc: deleted === true ? undefined : decode(fields),
    applied: versions,
    revision: Predicate.isNumber(revision) ? revision : 0,
    stored: true,
    changed: false,
  };
};

/**
 * The document to store for a state, in the projection's stored form; dies when that
 * document uses a bookkeeping key (a projection bug).
 *
 * @example
 * yield* store.writeMany(collection, [{ id, doc: yield* storedDocumentOf(projection, id, state) }]);
 */
export const storedDocumentOf = (
  projection: AnyProjection,
  documentId: string,
  state: DocumentState,
): Effect.Effect<StoredDocument> => {
  if (state.doc === undefined) {
    return Effect.succeed({ [ReadModelInternalKeys.applied]: state.applied, [ReadModelInternalKeys.deleted]: true });
  }
  const fields = projection.storedForm.encode(state.doc);
  const reserved = Object.values(ReadModelInternalKeys).find((key) => key in fields);
  if (reserved !== undefined || "_id" in fields) {
    return Effect.die(
      new Error(`projection ${projection.name}: document ${documentId} uses the reserved key ${reserved ?? "_id"}`),
    );
  }
  return Effect.succeed({ ...fields, [ReadModelInternalKeys.applied]: state.applied });
};
