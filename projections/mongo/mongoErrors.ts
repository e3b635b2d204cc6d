import {
  MongoBulkWriteError,
  MongoServerError,
  type AnyBulkWriteOperation,
  type Collection,
  type Db,
  type Document,
  type IndexDescription,
  type OptionalUnlessRequiredId,
} from 'mongodb';

/**
 * One `createIndexes` command per index: FerretDB v1.24 drops the connection (a server panic) when
 * one command names two or more indexes that all exist already — every restart of a process would.
 */
export async function createIndexesOneByOne<T extends Document>(
  collection: Collection<T>,
  indexes: IndexDescription[],
) {
  for (const index of indexes) await collection.createIndexes([index]);
}

/**
 * Whether a filtered update is one atomic step on this server. FerretDB v1 (it says so in
 * `buildInfo.ferretdbVersion`) finds the document and writes it in two, and pushes down no filter but
 * a lone `_id`; MongoDB does both with the index.
 */
export async function appliesGuardsAtomically(db: Db): Promise<boolean> {
  const info = await db.admin().command({ buildInfo: 1 });
  return !('ferretdbVersion' in info);
}

const DUPLICATE_KEY = new Set([11000, 11001]);

/** E11000: the `_id` (or another unique key) exists already. FerretDB answers it for `_id` too. */
export const isDuplicateKey = (error: unknown) =>
  error instanceof MongoServerError && DUPLICATE_KEY.has(Number(error.code));

/**
 * Inserts every document not there yet; returns the indexes of those whose `_id` existed. Unordered
 * inserts go on past a duplicate on MongoDB and on FerretDB alike.
 */
export async function insertNew<T extends Document>(
  collection: Collection<T>,
  docs: OptionalUnlessRequiredId<T>[],
): Promise<number[]> {
  if (docs.length === 0) return [];
  try {
    await collection.insertMany(docs, { ordered: false });
    return [];
  } catch (error) {
    const failed = error instanceof MongoBulkWriteError ? [error.writeErrors].flat() : [];
    if (failed.length === 0 || failed.some((e) => !DUPLICATE_KEY.has(e.code))) throw error;
    return failed.map((e) => e.index);
  }
}

/**
 * Update statements per `update` command. FerretDB v1 (SQLite) keeps every statement's query open
 * until its whole command ends, each on one of the database's 100 SQLite connections: a command of
 * 100 statements waits for a connection none will give back, and the server hangs for every client
 * (a projector batch touching 300 users did, so SIGTERM waited forever). Well under 100, so that a
 * rebuild writing beside the projector stays clear too; MongoDB takes any size.
 */
export const UPDATES_PER_COMMAND = 25;

/** `bulkWrite` in commands of at most `UPDATES_PER_COMMAND` statements (see there), in order. */
export async function bulkWriteInChunks<T extends Document>(
  collection: Collection<T>,
  operations: AnyBulkWriteOperation<T>[],
  options: { ordered: boolean },
): Promise<void> {
  for (let i = 0; i < operations.length; i += UPDATES_PER_COMMAND) {
    await collection.bulkWrite(operations.slice(i, i + UPDATES_PER_COMMAND), options);
  }
}

/**
 * Runs writes in order and treats a duplicate key as "a newer document is already there": the
 * write is skipped and the next one runs. Ordered writes stop at the first error on both MongoDB and
 * FerretDB (which also stops unordered *update* batches there), so this resumes after it.
 */
export async function writeSkippingDuplicates<T extends Document>(
  collection: Collection<T>,
  operations: AnyBulkWriteOperation<T>[],
): Promise<void> {
  let from = 0;
  while (from < operations.length) {
    try {
      await collection.bulkWrite(operations.slice(from, from + UPDATES_PER_COMMAND), { ordered: true });
      from += UPDATES_PER_COMMAND;
    } catch (error) {
      const first = error instanceof MongoBulkWriteError ? [error.writeErrors].flat()[0] : undefined;
      if (!first || !DUPLICATE_KEY.has(first.code)) throw error;
      from += first.index + 1;
    }
  }
}
