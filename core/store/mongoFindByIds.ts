/**
 * Reading documents by a list of `_id`s the way the server serves fastest. MongoDB answers
 * `{_id: {$in: ids}}` from its index in one round trip. FerretDB 1.x uses an index only for
 * `_id` equality and answers `$in` by scanning the whole collection, whose cost grows with
 * every event stored (a 24-id read of a read model holding a million readings took 36 s),
 * so there it sends one `_id` equality query per id, several at a time.
 */
import type { Collection, Db, Document, FindOptions } from "mongodb";

/** Point queries in flight at once per call (the driver's pool holds 100 connections). */
const pointReadConcurrency = 32;

const onlyEqualityIndexed = new WeakMap<Db, Promise<boolean>>();

/**
 * Whether the server only indexes `_id` equality (FerretDB reports `ferretdbVersion` in
 * buildInfo). Asked once per database handle.
 *
 * @example
 * if (await indexesOnlyIdEquality(client.db("anansky"))) { ... }
 */
export const indexesOnlyIdEquality = (db: Db): Promise<boolean> => {
  const known = onlyEqualityIndexed.get(db);
  if (known !== undefined) return known;
  const asked = db
    .admin()
    .command({ buildInfo: 1 })
    .then((info) => typeof info.ferretdbVersion === "string");
  // A failed question is asked again next time rather than remembered.
  asked.catch(() => onlyEqualityIndexed.delete(db));
  onlyEqualityIndexed.set(db, asked);
  return asked;
};

/**
 * The documents with these ids (any order; missing ids are absent).
 *
 * @example
 * const docs = await findByIds(db, db.collection("rm_devices"), ["t|d1", "t|d2"], { projection: { _id: 1 } });
 */
export const findByIds = async <T extends Document & { _id: string }>(
  db: Db,
  collection: Collection<T>,
  ids: ReadonlyArray<string>,
  options: FindOptions = {},
): Promise<Array<T>> => {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  // biome-ignore lint/suspicious/noExplicitAny: the driver's Filter<T> cannot express `_id: string` for a generic T.
  const byId = (id: string): any => ({ _id: id });
  if (unique.length > 1 && !(await indexesOnlyIdEquality(db))) {
    return (await collection.find({ _id: { $in: unique } } as never, options).toArray()) as Array<T>;
  }
  const found: Array<T> = [];
  for (let start = 0; start < unique.length; start += pointReadConcurrency) {
    const chunk = unique.slice(start, start + pointReadConcurrency);
    const documents = await Promise.all(chunk.map((id) => collection.findOne(byId(id), options)));
    for (const document of documents) if (document !== null) found.push(document as T);
  }
  return found;
};
