import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testProjectorContract } from '../projector.contract.js';

testProjectorContract('SQLite file', {
  spec: () => ({ kind: 'sqlite', path: join(mkdtempSync(join(tmpdir(), 'keyturn-rm-')), 'read.db') }),
  batchSize: 100,
});
