import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReadModel } from '../readModel.js';
import { createSqliteReadModel } from './sqliteReadModel.js';

/** A read-model file as the releases before fencing wrote it: leases without a generation. */
function olderFile(expiresMs: number) {
  const path = join(mkdtempSync(join(tmpdir(), 'keyturn-leases-')), 'readmodel.db');
  const db = new Database(path);
  db.exec(
    'CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_ms INTEGER NOT NULL) WITHOUT ROWID',
  );
  db.prepare('INSERT INTO leases (name, holder, expires_ms) VALUES (?, ?, ?)').run(
    'projector',
    'keyturn@host:/data',
    expiresMs,
  );
  db.close();
  return path;
}

describe('given a read-model file from before lease generations, its lease held', () => {
  const opened: ReadModel[] = [];
  afterEach(async () => {
    for (const readModel of opened.splice(0)) await readModel.close();
  });

  it('gains the generation column; the lease reads as generation 0 and its next holder gets 1', async () => {
    const t0 = Date.parse('2025-03-03T10:00:00.000Z');
    const path = olderFile(t0 + 10_000);
    // two processes opening it one after the other: the second finds the column there
    const one = createSqliteReadModel({ path });
    const two = createSqliteReadModel({ path });
    opened.push(one, two);
    expect(await one.leases.current('projector')).toEqual({
      holder: 'keyturn@host:/data',
      generation: 0,
      expiresMs: t0 + 10_000,
    });
    expect(await two.leases.acquire('projector', 'projector@host:1:a', 10_000, new Date(t0 + 5_000))).toBeUndefined();
    expect(await two.leases.acquire('projector', 'projector@host:1:a', 10_000, new Date(t0 + 10_000))).toBe(1);
    expect(await one.leases.acquire('projector', 'projector@host:1:a', 10_000, new Date(t0 + 12_000))).toBe(1);
  });
});
