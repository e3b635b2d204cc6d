import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { accountStream } from '../../core/accounts/events.js';
import { eventLog } from '../testing/events.js';
import { truncateSqliteJournals } from './sqliteJournal.js';
import { createSqliteReadModel } from './sqliteReadModel.js';

const NAME = 'Quintessa Zyxwvutson';

describe('given a person in the SQLite read model, among others', () => {
  it('once erased, neither the file nor its WAL holds their name, and the search index keeps none of its tokens', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'keyturn-erase-')), 'readmodel.db');
    const readModel = createSqliteReadModel({ path });
    const log = eventLog();
    const org = log.organizationRegistered().data.organizationId;
    for (let i = 0; i < 300; i++) log.accountOpened(org, { name: `Person ${i} Smith`, extension: String(1000 + i) });
    const id = log.accountOpened(org, { name: NAME, extension: '777', email: 'quintessa@erase.example' }).data
      .accountId;
    await readModel.apply(log.batch());
    // The index stores each token as the hex of its characters; z y x w v (7a 79 78 77 76) are in no
    // other name here, so hex pairs of them are pieces of this name's tokens (stored prefix-compressed).
    const needles = ['7a79', '7978', '7877', '7776', '7675'];
    const db = new Database(path, { readonly: true });
    const inIndex = () => {
      const blocks = db.prepare<[], { block: Buffer }>('SELECT block FROM users_v1_search_data').all();
      return needles.filter((n) => blocks.some(({ block }) => Buffer.isBuffer(block) && block.includes(n)));
    };
    const inFiles = (text: string) =>
      [path, `${path}-wal`].some(
        (file) => existsSync(file) && readFileSync(file).toString('latin1').toLowerCase().includes(text),
      );
    try {
      expect(inIndex().length).toBeGreaterThan(2);
      expect(inFiles('zyxwvutson')).toBe(true);

      log.record(accountStream(id), 'AccountErased', { by: 'system' });
      await readModel.apply(log.batch());
      expect(await truncateSqliteJournals([path])).toEqual([]);

      expect(inIndex()).toEqual([]);
      for (const text of ['zyxwvutson', 'quintessa']) expect(inFiles(text)).toBe(false);
      expect(
        (await readModel.users.search({ organizationId: org, search: 'zyx', first: 5, now: log.now() })).totalCount,
      ).toBe(0);
    } finally {
      db.close();
      await readModel.close();
    }
  });
});
