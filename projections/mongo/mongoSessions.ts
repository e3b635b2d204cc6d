import type { Db } from 'mongodb';
import type { ReadModel, SessionRecord } from '../readModel.js';
import { createIndexesOneByOne } from './mongoErrors.js';

interface SessionDoc {
  _id: string;
  accountId: string;
  organizationId: string;
  role: SessionRecord['role'];
  /** absent on sessions stored before credential versions (read as 0) */
  credentialVersion?: number;
  createdAt: string;
  expiresAt: string;
  expiresMs: number;
}

/**
 * Sessions are not derived from events (a rebuild keeps them) and only the token's hash is stored.
 * No TTL index (FerretDB v1 has none): expired sessions read as absent and are cleared as new ones
 * are created, as in the SQLite adapter.
 */
export function createMongoSessions(db: Db): ReadModel['sessions'] {
  const sessions = db.collection<SessionDoc>('sessions');
  // Created with the first session, by whichever process signs someone in first.
  let indexed: Promise<void> | undefined;
  const writable = () =>
    (indexed ??= createIndexesOneByOne(sessions, [
      { key: { accountId: 1 }, name: 'account' },
      { key: { expiresMs: 1 }, name: 'expires' },
    ]).catch((error: unknown) => {
      indexed = undefined;
      throw error;
    }));
  return {
    async create({ tokenHash, ...session }) {
      await writable();
      await sessions.deleteMany({ expiresMs: { $lte: Date.parse(session.createdAt) } });
      await sessions.insertOne({ _id: tokenHash, ...session, expiresMs: Date.parse(session.expiresAt) });
    },
    async get(tokenHash, now) {
      const doc = await sessions.findOne({ _id: tokenHash, expiresMs: { $gt: now.getTime() } });
      if (!doc) return undefined;
      const { accountId, organizationId, role, createdAt, expiresAt } = doc;
      return { tokenHash, accountId, organizationId, role, credentialVersion: doc.credentialVersion ?? 0, createdAt, expiresAt };
    },
    async delete(tokenHash) {
      await sessions.deleteOne({ _id: tokenHash });
    },
    async deleteForAccount(accountId) {
      await sessions.deleteMany({ accountId });
    },
    async endOpenedBefore(accountId, before) {
      // ISO-8601 UTC strings of one format order like the times they name.
      await sessions.deleteMany({ accountId, createdAt: { $lt: before } });
    },
  };
}
