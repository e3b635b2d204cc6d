import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { UNKNOWN_BROWSER, type ReadModel, type SessionRecord } from '../readModel.js';

/** Columns added after the first files were written: name → definition for `ALTER TABLE … ADD COLUMN`. */
const laterColumns = {
  credential_version: 'INTEGER NOT NULL DEFAULT 0',
  id: 'TEXT',
  user_agent: 'TEXT',
  last_seen_at: 'TEXT',
};

/**
 * Brings a file from before any of `laterColumns` up to date in place. One immediate transaction, so
 * two processes opening the same file at once cannot both add a column. Sessions without an id get
 * a random one (never the token hash: that would hand out a way to compute who holds what).
 */
function migrate(db: Database) {
  db.transaction(() => {
    const columns = new Set(
      db
        .prepare<[], { name: string }>('PRAGMA table_info(sessions)')
        .all()
        .map((c) => c.name),
    );
    for (const [name, definition] of Object.entries(laterColumns)) {
      if (!columns.has(name)) db.exec(`ALTER TABLE sessions ADD COLUMN ${name} ${definition}`);
    }
    const withoutId = db
      .prepare<[], { tokenHash: string }>('SELECT token_hash AS tokenHash FROM sessions WHERE id IS NULL')
      .all();
    const setId = db.prepare<[string, string]>('UPDATE sessions SET id = ? WHERE token_hash = ?');
    for (const { tokenHash } of withoutId) setId.run(randomUUID(), tokenHash);
    db.exec('CREATE UNIQUE INDEX IF NOT EXISTS sessions_id ON sessions (id)');
  }).immediate();
}

// Older rows read with the defaults the port promises.
const columns = `token_hash AS tokenHash, id, account_id AS accountId, organization_id AS organizationId, role,
  credential_version AS credentialVersion, created_at AS createdAt, expires_at AS expiresAt,
  COALESCE(user_agent, '${UNKNOWN_BROWSER}') AS userAgent, COALESCE(last_seen_at, created_at) AS lastSeenAt`;

/**
 * Sessions live beside the read model but are not derived from events: a rebuild keeps them. Only
 * the token's hash is stored, so a copy of the file lets nobody sign in.
 */
export function createSqliteSessions(db: Database): ReadModel['sessions'] {
  migrate(db);
  const insert = db.prepare<[SessionRecord & { expiresMs: number }]>(`
    INSERT INTO sessions (token_hash, id, account_id, organization_id, role, credential_version, created_at, expires_at,
      expires_at_ms, user_agent, last_seen_at)
    VALUES (@tokenHash, @id, @accountId, @organizationId, @role, @credentialVersion, @createdAt, @expiresAt,
      @expiresMs, @userAgent, @lastSeenAt)`);
  const purgeExpired = db.prepare<[number]>('DELETE FROM sessions WHERE expires_at_ms <= ?');
  const read = db.prepare<[string, number], SessionRecord>(
    `SELECT ${columns} FROM sessions WHERE token_hash = ? AND expires_at_ms > ?`,
  );
  const readById = db.prepare<[string, number], SessionRecord>(
    `SELECT ${columns} FROM sessions WHERE id = ? AND expires_at_ms > ?`,
  );
  const listOfAccount = db.prepare<[string, number], SessionRecord>(
    `SELECT ${columns} FROM sessions WHERE account_id = ? AND expires_at_ms > ? ORDER BY created_at DESC, id`,
  );
  const remove = db.prepare<[string]>('DELETE FROM sessions WHERE token_hash = ?');
  const removeById = db.prepare<[string, string]>('DELETE FROM sessions WHERE account_id = ? AND id = ?');
  const removeForAccount = db.prepare<[string]>('DELETE FROM sessions WHERE account_id = ?');
  // ISO-8601 UTC strings of one format order like the times they name.
  const touch = db.prepare<[string, string, string]>(
    'UPDATE sessions SET last_seen_at = ? WHERE id = ? AND COALESCE(last_seen_at, created_at) < ?',
  );
  const removeOpenedBefore = db.prepare<[string, string, string | null]>(
    'DELETE FROM sessions WHERE account_id = ? AND created_at < ? AND id IS NOT ?',
  );
  // MAX: a replayed, older change never lowers what a newer one raised.
  const raise = db.prepare<[number, string, string]>(
    'UPDATE sessions SET credential_version = MAX(credential_version, ?) WHERE account_id = ? AND id = ?',
  );

  const create = db.transaction((session: SessionRecord) => {
    // An expired session only ever reads as absent; clearing them on the way keeps the table small.
    purgeExpired.run(Date.parse(session.createdAt));
    insert.run({ ...session, expiresMs: Date.parse(session.expiresAt) });
  });
  const endOpenedBefore = db.transaction(
    (accountId: string, before: string, keep?: { sessionId: string; credentialVersion: number }) => {
      // `IS NOT NULL` matches no id: without a kept session every earlier one ends.
      removeOpenedBefore.run(accountId, before, keep?.sessionId ?? null);
      if (keep) raise.run(keep.credentialVersion, accountId, keep.sessionId);
    },
  );

  return {
    async create(session) {
      create(session);
    },
    async get(tokenHash, now) {
      return read.get(tokenHash, now.getTime());
    },
    async getById(id, now) {
      return readById.get(id, now.getTime());
    },
    async listForAccount(accountId, now) {
      return listOfAccount.all(accountId, now.getTime());
    },
    async delete(tokenHash) {
      remove.run(tokenHash);
    },
    async deleteById(accountId, id) {
      return removeById.run(accountId, id).changes > 0;
    },
    async deleteForAccount(accountId) {
      removeForAccount.run(accountId);
    },
    async touch(id, at) {
      const iso = at.toISOString();
      touch.run(iso, id, iso);
    },
    async endOpenedBefore(accountId, before, keep) {
      endOpenedBefore(accountId, before, keep);
    },
  };
}
