import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { testDataKeysContract } from '../../core/personalData/dataKeys.contract.js';
import { createSqliteDataKeys } from './sqliteDataKeys.js';
import { truncateSqliteJournals } from './sqliteJournal.js';
import { createSqliteReadModel } from './sqliteReadModel.js';

let path = '';
const freshPath = () => (path = join(mkdtempSync(join(tmpdir(), 'keyturn-keys-')), 'readmodel.db'));
const storedKeys = async () => {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare<[], { k: Buffer }>('SELECT wrapped_key AS k FROM account_keys WHERE wrapped_key IS NOT NULL')
      .all()
      .map((r) => r.k);
  } finally {
    db.close();
  }
};

testDataKeysContract('SQLite file', {
  factory: async (secret) => createSqliteDataKeys({ path: freshPath(), secret }),
  secondHandle: async (secret) => createSqliteDataKeys({ path, secret }),
  storedKeys,
});

describe('given the key store in the read model file, beside the projections', () => {
  it('an erased key leaves no trace in the file or its WAL, and a rebuild never drops the table', async () => {
    freshPath();
    const readModel = createSqliteReadModel({ path });
    const keys = createSqliteDataKeys({ path, secret: randomBytes(32) });
    try {
      // among others, as in a real file: alone on its page, the row would be rewritten whole anyway
      const ids = Array.from({ length: 50 }, () => randomUUID());
      const id = ids[25]!;
      await keys.obtain(ids);
      const db = new Database(path, { readonly: true });
      const wrapped = db
        .prepare<[string], { k: Buffer }>('SELECT wrapped_key AS k FROM account_keys WHERE account_id = ?')
        .get(id)!.k;
      db.close();
      const inFiles = () =>
        [path, `${path}-wal`].some((file) => existsSync(file) && readFileSync(file).includes(wrapped));
      expect(inFiles()).toBe(true);

      expect(await keys.erase(id)).toBe(true);
      expect(await truncateSqliteJournals([path])).toEqual([]);
      expect(inFiles()).toBe(false);

      await readModel.versions.open(2);
      await readModel.versions.drop(2);
      expect((await keys.find([id])).get(id)).toBeNull();
    } finally {
      await keys.close();
      await readModel.close();
    }
  });
});
