import { chmodSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSqliteReadModel } from '../../projections/sqlite/sqliteReadModel.js';
import { createSqliteEventStore } from './sqliteEventStore.js';

const modes = (dir: string) =>
  Object.fromEntries(readdirSync(dir).map((f) => [f, (statSync(join(dir, f)).mode & 0o777).toString(8)]));

const event = () => ({
  id: randomUUID(),
  type: 'Something',
  data: {},
  metadata: { occurredAt: new Date().toISOString(), actor: 'system', correlationId: 'c' },
});

describe('given an empty data directory', () => {
  it('creates events.db, readmodel.db and their -wal and -shm files readable by the owner only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyturn-modes-'));
    const store = createSqliteEventStore({ path: join(dir, 'events.db') });
    const readModel = createSqliteReadModel({ path: join(dir, 'readmodel.db') });
    await store.appendToStream('test-1', [event()]);
    await readModel.apply(await store.readAll({}));
    expect(Object.keys(modes(dir)).sort()).toEqual([
      'events.db',
      'events.db-shm',
      'events.db-wal',
      'readmodel.db',
      'readmodel.db-shm',
      'readmodel.db-wal',
    ]);
    expect(new Set(Object.values(modes(dir)))).toEqual(new Set(['600']));
    await readModel.close();
    await store.close();
  });
});

describe('given database files an earlier version left readable by everyone', () => {
  it('narrows them to the owner when it opens them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyturn-modes-'));
    const first = createSqliteEventStore({ path: join(dir, 'events.db') });
    await first.appendToStream('test-1', [event()]);
    await first.close();
    for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o644);
    writeFileSync(join(dir, 'events.db-shm'), '');
    chmodSync(join(dir, 'events.db-shm'), 0o644);
    const again = createSqliteEventStore({ path: join(dir, 'events.db') });
    await again.appendToStream('test-2', [event()]);
    expect(new Set(Object.values(modes(dir)))).toEqual(new Set(['600']));
    await again.close();
  });
});
