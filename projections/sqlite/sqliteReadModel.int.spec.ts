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

// Every way a search can find a page, taken at a few users rather than thousands.
testReadModelContract('SQLite with small search steps', {
  factory: async () =>
    createSqliteReadModel({
      path: ':memory:',
      searchSteps: { readBelow: 3, first: 2, walkPerCandidate: 2, many: 64, ranges: 3, countBudget: 20 },
    }),
});
