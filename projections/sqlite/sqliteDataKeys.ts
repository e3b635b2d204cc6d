import Database from 'better-sqlite3';
import { ownerOnlyFile } from '../../core/eventStore/ownerOnlyFile.js';
import type { DataKeys, DataKeyStorage, WrappedKey } from '../../core/personalData/dataKeys.js';
import { createDataKeys, type DataKeysOptions } from '../../core/personalData/keyWrapping.js';

export interface SqliteDataKeysOptions extends DataKeysOptions {
  /** the read model's file (`<DATA_DIR>/readmodel.db`), or `:memory:` for tests */
  path: string;
  secret: Buffer;
}

const CHUNK = 5000;

/**
 * The `account_keys` table, on a connection of its own. It sits in the read model's file but is not
 * a projection: no rebuild drops it, and deleting the file deletes every person's data with it.
 */
export function createSqliteDataKeyStorage(path: string): DataKeyStorage {
  ownerOnlyFile(path);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // Not derived data: a key lost to a power cut would make its events unreadable for good.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 10000');
  // An erased key is overwritten with zeros in the file, not only unlinked from the b-tree.
  db.pragma('secure_delete = ON');
  db.exec(`
    CREATE TABLE IF NOT EXISTS account_keys (
      account_id TEXT PRIMARY KEY,
      -- wrapped with the key-encryption key (keyWrapping.ts); NULL once the account is erased
      wrapped_key BLOB,
      created_at TEXT NOT NULL,
      erased_at TEXT
    ) WITHOUT ROWID;`);
  const insert = db.prepare<[string, Buffer, string]>(
    'INSERT INTO account_keys (account_id, wrapped_key, created_at) VALUES (?, ?, ?) ON CONFLICT (account_id) DO NOTHING',
  );
  const select = db.prepare<[string], { account_id: string; wrapped_key: Buffer | null }>(
    'SELECT account_id, wrapped_key FROM account_keys WHERE account_id IN (SELECT value FROM json_each(?))',
  );
  const had = db.prepare<[string], { had: number }>(
    'SELECT wrapped_key IS NOT NULL AS had FROM account_keys WHERE account_id = ?',
  );
  const mark = db.prepare<[{ id: string; at: string }]>(`
    INSERT INTO account_keys (account_id, wrapped_key, created_at, erased_at) VALUES (@id, NULL, @at, @at)
    ON CONFLICT (account_id) DO UPDATE SET wrapped_key = NULL, erased_at = coalesce(erased_at, excluded.erased_at)`);

  const insertAll = db.transaction((keys: readonly { accountId: string; wrapped: Buffer }[], at: string) =>
    keys.filter(({ accountId, wrapped }) => insert.run(accountId, wrapped, at).changes === 0).map((k) => k.accountId),
  );
  const erase = db.transaction((accountId: string, at: string) => {
    const before = had.get(accountId)?.had === 1;
    mark.run({ id: accountId, at });
    return before;
  });

  return {
    async insertIfAbsent(keys, at) {
      return insertAll.immediate(keys, at.toISOString());
    },
    async find(accountIds) {
      const found = new Map<string, WrappedKey>();
      for (let i = 0; i < accountIds.length; i += CHUNK) {
        for (const row of select.all(JSON.stringify(accountIds.slice(i, i + CHUNK))))
          found.set(row.account_id, row.wrapped_key);
      }
      return found;
    },
    async erase(accountId, at) {
      return erase.immediate(accountId, at.toISOString());
    },
    async close() {
      db.close();
    },
  };
}

export const createSqliteDataKeys = (options: SqliteDataKeysOptions): DataKeys =>
  createDataKeys(createSqliteDataKeyStorage(options.path), options.secret, options);
