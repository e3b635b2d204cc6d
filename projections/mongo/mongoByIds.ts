import type { Collection, Document, Filter, FindOptions, WithId } from 'mongodb';

/** Up to this many ids are read one `_id` find each, all at once; more go in one `$in`. */
export const POINT_READS = 8;

/**
 * The documents with these `_id`s (those that exist, in no particular order). FerretDB v1 (SQLite)
 * hands a filter to SQL only when it is a lone `_id` equality; any other filter, `$in` included, has
 * every document of the collection decoded and matched in Go, so a point read by `_id` costs a
 * tiny fraction of an `$in` over a large collection. A few ids are therefore read as that many
 * finds sent together (the wait of one round trip; on MongoDB both are the `_id` index), and a
 * large set — a rebuild's or a catch-up's batch — as one `$in`: round trips stay bounded per batch.
 */
export async function findByIds<T extends Document & { _id: string }>(
  collection: Collection<T>,
  ids: readonly string[],
  options: FindOptions = {},
): Promise<WithId<T>[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  if (unique.length > POINT_READS) {
    return collection.find({ _id: { $in: unique } } as Filter<T>, options).toArray();
  }
  const found = await Promise.all(unique.map((id) => collection.findOne({ _id: id } as Filter<T>, options)));
  return found.flatMap((doc) => (doc === null ? [] : [doc]));
}
