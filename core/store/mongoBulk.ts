/**
 * Bulk writes in commands of at most 48 operations. FerretDB 1.24 holds one pooled
 * connection per statement of an update command until the whole command ends, so a
 * bulkWrite of ~50 (PostgreSQL backend) to ~100 (SQLite) updates of existing documents
 * exhausts the pool and hangs the server. Real MongoDB is indifferent to the split.
 */
import { type AnyBulkWriteOperation, type Collection, type Document, MongoBulkWriteError } from "mongodb";

export const maxOperationsPerCommand = 48;

/**
 * @example
 * await bulkWriteInChunks(collection, operations); // unordered within each chunk
 */
export const bulkWriteInChunks = async <T extends Document>(
  collection: Collection<T>,
  operations: ReadonlyArray<AnyBulkWriteOperation<T>>,
): Promise<void> => {
  for (let start = 0; start < operations.length; start += maxOperationsPerCommand) {
    await collection.bulkWrite(operations.slice(start, start + maxOperationsPerCommand), { ordered: false });
  }
};

const duplicateKeyCode = 11000;

/**
 * Whether a bulk write failed only on duplicate keys (code 11000).
 *
 * @example
 * if (isDuplicateKeyOnly(cause)) return; // every document was there already
 */
export const isDuplicateKeyOnly = (cause: unknown): boolean => {
  if (!(cause instanceof MongoBulkWriteError)) return false;
  const errors = [cause.writeErrors].flat();
  return errors.length > 0 && errors.every((error) => error.code === duplicateKeyCode);
};

/**
 * A filter for these `_id`s: one id as a lone equality, which FerretDB 1.x has SQLite test
 * row by row (about 1 µs a row), several as one `$in`, which it tests on every document it
 * decodes in Go (about ten times that) but in one query. MongoDB serves both from `_id`.
 *
 * @example
 * collection.find(idFilter(["a"])) // { _id: "a" }
 */
export const idFilter = <Id extends string>(ids: ReadonlyArray<Id>): { _id: Id } | { _id: { $in: Array<Id> } } => {
  const [only] = ids;
  return ids.length === 1 && only !== undefined ? { _id: only } : { _id: { $in: [...ids] } };
};
