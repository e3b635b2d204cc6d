import { MongoClient, type Binary } from 'mongodb';
import type { DataKeys, DataKeyStorage, WrappedKey } from '../../core/personalData/dataKeys.js';
import { createDataKeys, type DataKeysOptions } from '../../core/personalData/keyWrapping.js';
import { createIndexesOneByOne, insertNew, isDuplicateKey } from './mongoErrors.js';

export interface MongoDataKeysOptions extends DataKeysOptions {
  url: string;
  /** default `keyturn` */
  dbName?: string;
  secret: Buffer;
}

interface KeyDoc {
  accountId: string;
  /** wrapped (keyWrapping.ts); null once the account is erased */
  key: Binary | Buffer | null;
  createdAt: Date;
  erasedAt?: Date;
}

const CHUNK = 5000;
// a mark written by an upsert may come back without the field on FerretDB: no field, no key
const bytesOf = (key: KeyDoc['key'] | undefined): WrappedKey =>
  key === null || key === undefined ? null : Buffer.isBuffer(key) ? key : Buffer.from(key.buffer);

/**
 * The `accountKeys` collection, beside the read model. Not a projection: no rebuild drops it. The
 * unique index on `accountId` is what makes "insert if absent" safe between processes; it is made
 * before this handle writes anything.
 */
export function createMongoDataKeyStorage(options: { url: string; dbName?: string }): DataKeyStorage {
  const client = new MongoClient(options.url);
  const keys = client.db(options.dbName ?? 'keyturn').collection<KeyDoc>('accountKeys');
  let indexed: Promise<void> | undefined;
  const ready = () =>
    (indexed ??= createIndexesOneByOne(keys, [{ key: { accountId: 1 }, name: 'accountId_unique', unique: true }]).catch(
      (error: unknown) => {
        indexed = undefined;
        throw error;
      },
    ));

  return {
    async insertIfAbsent(made, at) {
      await ready();
      // A duplicate is another process's key for the same account, stored first: it stands.
      const existed = await insertNew(
        keys,
        made.map(({ accountId, wrapped }) => ({ accountId, key: wrapped, createdAt: at })),
      );
      return existed.map((i) => made[i]!.accountId);
    },
    async find(accountIds) {
      const found = new Map<string, WrappedKey>();
      for (let i = 0; i < accountIds.length; i += CHUNK) {
        const filter = { accountId: { $in: accountIds.slice(i, i + CHUNK) } };
        for (const doc of await keys.find(filter, { projection: { _id: 0, accountId: 1, key: 1 } }).toArray()) {
          found.set(doc.accountId, bytesOf(doc.key));
        }
      }
      return found;
    },
    async erase(accountId, at) {
      await ready();
      const erased = await keys.updateOne({ accountId, key: { $ne: null } }, { $set: { key: null, erasedAt: at } });
      if (erased.modifiedCount > 0) return true;
      // No key to delete: leave a mark all the same, so that no key is ever made for the account.
      try {
        await keys.updateOne(
          { accountId },
          { $setOnInsert: { key: null, createdAt: at, erasedAt: at } },
          { upsert: true },
        );
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // another process stored a key for the account meanwhile: that one goes too
        const late = await keys.updateOne({ accountId, key: { $ne: null } }, { $set: { key: null, erasedAt: at } });
        return late.modifiedCount > 0;
      }
      return false;
    },
    close: () => client.close(),
  };
}

export const createMongoDataKeys = (options: MongoDataKeysOptions): DataKeys =>
  createDataKeys(createMongoDataKeyStorage(options), options.secret, options);
