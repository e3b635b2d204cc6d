import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testAuditErasureContract } from '../audit/auditErasure.contract.js';
import { createSqliteReadModel } from './sqliteReadModel.js';

testAuditErasureContract('SQLite file', {
  factory: async () =>
    createSqliteReadModel({ path: join(mkdtempSync(join(tmpdir(), 'keyturn-erase-')), 'readmodel.db') }),
});
