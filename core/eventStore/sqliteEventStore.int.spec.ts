import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEventStoreContract } from './eventStore.contract.js';
import { createSqliteEventStore } from './sqliteEventStore.js';

testEventStoreContract('SQLite in memory', {
  factory: async () => createSqliteEventStore({ path: ':memory:' }),
  withUpcast: async (upcast) => createSqliteEventStore({ path: ':memory:', upcast }),
});

let file = '';
testEventStoreContract('SQLite file', {
  factory: async () => {
    file = join(mkdtempSync(join(tmpdir(), 'keyturn-es-')), 'events.db');
    return createSqliteEventStore({ path: file, pollIntervalMs: 20 });
  },
  secondHandle: async () => createSqliteEventStore({ path: file }),
  withUpcast: async (upcast) => createSqliteEventStore({ path: file, pollIntervalMs: 20, upcast }),
});
