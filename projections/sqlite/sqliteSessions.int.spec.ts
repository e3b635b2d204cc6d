import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReadModel } from '../readModel.js';
import { createSqliteReadModel } from './sqliteReadModel.js';

const now = new Date('2025-03-03T10:00:00.000Z');

/** A read-model file as the first releases wrote it: sessions without any of the later columns. */
function fileFromBeforeSessionIds(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'keyturn-sessions-')), 'read.db');
  const db = new Database(path);
  db.exec(`CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL, organization_id TEXT NOT NULL, role TEXT NOT NULL,
    created_at TEXT NOT NULL, expires_at TEXT NOT NULL, expires_at_ms INTEGER NOT NULL) WITHOUT ROWID`);
  const insert = db.prepare('INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?)');
  for (const [hash, createdAt] of [
    ['hash-1', '2025-03-03T09:00:00.000Z'],
    ['hash-2', '2025-03-03T09:30:00.000Z'],
  ]) {
    insert.run(
      hash,
      'acc-1',
      'org-1',
      'USER',
      createdAt,
      '2025-03-03T21:00:00.000Z',
      Date.parse('2025-03-03T21:00:00.000Z'),
    );
  }
  db.close();
  return path;
}

describe('given a read-model file from before session ids, browsers and last-seen times', () => {
  let readModel: ReadModel | undefined;
  afterEach(async () => readModel?.close());

  it('reads its sessions with a random id each, "Unknown browser", and lastSeenAt at sign-in', async () => {
    readModel = createSqliteReadModel({ path: fileFromBeforeSessionIds() });
    const session = await readModel.sessions.get('hash-1', now);
    expect(session).toEqual({
      tokenHash: 'hash-1',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      accountId: 'acc-1',
      organizationId: 'org-1',
      role: 'USER',
      credentialVersion: 0,
      createdAt: '2025-03-03T09:00:00.000Z',
      expiresAt: '2025-03-03T21:00:00.000Z',
      userAgent: 'Unknown browser',
      lastSeenAt: '2025-03-03T09:00:00.000Z',
    });
    const listed = await readModel.sessions.listForAccount('acc-1', now);
    expect(listed.map((s) => s.tokenHash)).toEqual(['hash-2', 'hash-1']);
    expect(new Set(listed.map((s) => s.id)).size).toBe(2);
  });

  it('keeps the ids it gave across reopening, and the sessions work as new ones do', async () => {
    const path = fileFromBeforeSessionIds();
    const first = createSqliteReadModel({ path });
    const id = (await first.sessions.get('hash-1', now))!.id;
    await first.close();
    readModel = createSqliteReadModel({ path });
    expect((await readModel.sessions.getById(id, now))?.tokenHash).toBe('hash-1');
    await readModel.sessions.touch(id, now);
    expect((await readModel.sessions.get('hash-1', now))?.lastSeenAt).toBe(now.toISOString());
    expect(await readModel.sessions.deleteById('acc-1', id)).toBe(true);
    expect(await readModel.sessions.get('hash-1', now)).toBeUndefined();
  });
});
