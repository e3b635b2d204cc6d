import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testSharedLimiters } from '../../api/limiters.contract.js';
import { createSqliteLimiters } from './sqliteLimiters.js';

const path = join(mkdtempSync(join(tmpdir(), 'keyturn-limits-')), 'limits.db');
testSharedLimiters('SQLite file', async () => createSqliteLimiters(path));
