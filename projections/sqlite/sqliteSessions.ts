import type { Database } from 'better-sqlite3';
import type { ReadModel, SessionRecord } from '../readModel.js';

/**
 * Sessions live beside the read model but are not derived from events: a rebuild keeps them. Only
 * the token's hash is stored, so a copy of the file lets nobody sign in.
 */
export function createSqliteSessions(db: Database): ReadModel['sessions'] {
  // Files from before credential versions: the column is added once, every old session at version 0.
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(sessions)').all();
  if (!columns.some((c) => c.name === 'credential_version')) {
    db.exec('ALTER TABLE sessions ADD COLUMN credential_version INTEGER NOT NULL DEFAULT 0');
  }
  const insert = db.prepare<[SessionRecord & { expiresMs: number }]>(`
    INSERT INTO sessions (token_hash, account_id, organization_id, role, credential_version, created_at, expires_at, expires_at_ms)
    VALUES (@tokenHash, @accountId, @organizationId, @role, @credentialVersion, @createdAt, @expiresAt, @expiresMs)`);
  const purgeExpired = db.prepare<[number]>('DELETE FROM sessions WHERE expires_at_ms <= ?');
  const read = db.prepare<[string, number], SessionRecord>(`
    SELECT token_hash AS tokenHash, account_id AS accountId, organization_id AS organizationId, role,
      credential_version AS credentialVersion, created_at AS createdAt, expires_at AS expiresAt
    FROM sessions WHERE token_hash = ? AND expires_at_ms > ?`);
  const remove = db.prepare<[string]>('DELETE FROM sessions WHERE token_hash = ?');
  const removeForAccount = db.prepare<[string]>('DELETE FROM sessions WHERE account_id = ?');
  // ISO-8601 UTC strings of one format order like the times they name.
  const removeOpenedBefore = db.prepare<[string, string]>('DELETE FROM sessions WHERE account_id = ? AND created_at < ?');

  const create = db.transaction((session: SessionRecord) => {
    // An expired session only ever reads as absent; clearing them on the way keeps the table small.
    purgeExpired.run(Date.parse(session.createdAt));
    insert.run({ ...session, expiresMs: Date.parse(session.expiresAt) });
  });

  return {
    async create(session) {
      create(session);
    },
    async get(tokenHash, now) {
      return read.get(tokenHash, now.getTime());
    },
    async delete(tokenHash) {
      remove.run(tokenHash);
    },
    async deleteForAccount(accountId) {
      removeForAccount.run(accountId);
    },
    async endOpenedBefore(accountId, before) {
      removeOpenedBefore.run(accountId, before);
    },
  };
}
