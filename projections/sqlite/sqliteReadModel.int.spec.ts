import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testReadModelContract } from '../readModel.contract.js';
import { createSqliteReadModel } from './sqliteReadModel.js';

testReadModelContract('SQLite in memory', {
  factory: async () => createSqliteReadModel({ path: ':memory:' }),
});

testReadModelContract('SQLite file', {
  factory: async () => createSqliteReadModel({ path: join(mkdtempSync(join(tmpdir(), 'keyturn-rm-')), 'read.db') }),
});
