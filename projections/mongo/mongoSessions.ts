import { randomUUID } from 'node:crypto';
import type { Db, WithId } from 'mongodb';
import { UNKNOWN_BROWSER, type ReadModel, type SessionRecord } from '../readModel.js';
import { createIndexesOneByOne, isDuplicateKey } from './mongoErrors.js';

interface SessionDoc {
  _id: string;
  /** absent on sessions stored before public ids: given one on first read (see `withId`) */
  id?: string;
  accountId: string;
  organizationId: string;
  role: SessionRecord['role'];
  /** absent on sessions stored before credential versions (read as 0) */
  credentialVersion?: number;
  createdAt: string;
  expiresAt: string;
  expiresMs: number;
  /** absent on older sessions (read as "Unknown browser") */
  userAgent?: string;
  /** absent on older sessions (read as `createdAt`) */
  lastSeenAt?: string;
}

const recordOf = (doc: WithId<SessionDoc> & { id: string }): SessionRecord => ({
  tokenHash: doc._id,
  id: doc.id,
  accountId: doc.accountId,
  organizationId: doc.organizationId,
  role: doc.role,
  credentialVersion: doc.credentialVersion ?? 0,
  createdAt: doc.createdAt,
  expiresAt: doc.expiresAt,
  userAgent: doc.userAgent ?? UNKNOWN_BROWSER,
  lastSeenAt: doc.lastSeenAt ?? doc.createdAt,
});

/**
 * Sessions are not derived from events (a rebuild keeps them) and only the token's hash is stored.
 * No TTL index (FerretDB v1 has none): expired sessions read as absent and are cleared as new ones
 * are created, as in the SQLite adapter.
 */
export function createMongoSessions(db: Db): ReadModel['sessions'] {
  const sessions = db.collection<SessionDoc>('sessions');
  const idClaims = db.collection<{ _id: string; id: string; expiresMs: number }>('session_id_claims');
  // Created with the first session, by whichever process signs someone in first.
  let indexed: Promise<void> | undefined;
  const writable = () =>
    (indexed ??= createIndexesOneByOne(sessions, [
      { key: { accountId: 1 }, name: 'account' },
      { key: { expiresMs: 1 }, name: 'expires' },
      // not unique: older documents have no id until first read, and a unique index counts them all as null
      { key: { id: 1 }, name: 'id' },
    ]).catch((error: unknown) => {
      indexed = undefined;
      throw error;
    }));

  /**
   * An older document gets a random id the first time it is read. Two processes may read it at
   * once, and FerretDB v1 does not apply a guarded update atomically, so the id is claimed by an
   * insert keyed by the token hash, which only one of them can win; both then store the winner's.
   * Claims expire with their session and are cleared as sessions are.
   */
  async function withId(doc: WithId<SessionDoc>): Promise<SessionRecord> {
    if (doc.id) return recordOf({ ...doc, id: doc.id });
    const id = await claimId(doc);
    await sessions.updateOne({ _id: doc._id }, { $set: { id } });
    return recordOf({ ...doc, id });
  }
  async function claimId(doc: WithId<SessionDoc>): Promise<string> {
    const claim = { _id: doc._id, id: randomUUID(), expiresMs: doc.expiresMs };
    try {
      await idClaims.insertOne(claim);
      return claim.id;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const won = await idClaims.findOne({ _id: doc._id });
      if (!won) throw error;
      return won.id;
    }
  }

  return {
    async create({ tokenHash, ...session }) {
      await writable();
      await sessions.deleteMany({ expiresMs: { $lte: Date.parse(session.createdAt) } });
      await idClaims.deleteMany({ expiresMs: { $lte: Date.parse(session.createdAt) } });
      await sessions.insertOne({ _id: tokenHash, ...session, expiresMs: Date.parse(session.expiresAt) });
    },
    async get(tokenHash, now) {
      // By `_id` alone, expiry checked here: FerretDB answers only that filter without decoding
      // every session (see `findByIds`); this lookup runs on every signed-in request.
      const doc = await sessions.findOne({ _id: tokenHash });
      return doc && doc.expiresMs > now.getTime() ? withId(doc) : undefined;
    },
    async getById(id, now) {
      const doc = await sessions.findOne({ id, expiresMs: { $gt: now.getTime() } });
      return doc ? withId(doc) : undefined;
    },
    async listForAccount(accountId, now) {
      const docs = await sessions
        .find({ accountId, expiresMs: { $gt: now.getTime() } })
        .sort({ createdAt: -1, id: 1 })
        .toArray();
      return Promise.all(docs.map(withId));
    },
    async delete(tokenHash) {
      await sessions.deleteOne({ _id: tokenHash });
    },
    async deleteById(accountId, id) {
      return (await sessions.deleteOne({ accountId, id })).deletedCount > 0;
    },
    async deleteForAccount(accountId) {
      await sessions.deleteMany({ accountId });
    },
    async touch(id, at) {
      // ISO-8601 UTC strings of one format order like the times they name; $max never moves it back.
      await sessions.updateOne({ id }, { $max: { lastSeenAt: at.toISOString() } });
    },
    async endOpenedBefore(accountId, before, keep) {
      // $ne also matches documents without an id: none of them is the kept one.
      await sessions.deleteMany({
        accountId,
        createdAt: { $lt: before },
        ...(keep && { id: { $ne: keep.sessionId } }),
      });
      // $max: a replayed, older change never lowers what a newer one raised.
      if (keep)
        await sessions.updateOne(
          { accountId, id: keep.sessionId },
          { $max: { credentialVersion: keep.credentialVersion } },
        );
    },
  };
}
