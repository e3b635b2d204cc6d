import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testCheckpointStoreContract } from './checkpoints.contract.js';
import { createSqliteCheckpointStore } from './checkpoints.js';

testCheckpointStoreContract('SQLite file', async () =>
  createSqliteCheckpointStore(join(mkdtempSync(join(tmpdir(), 'keyturn-checkpoints-')), 'readmodel.db')),
);
