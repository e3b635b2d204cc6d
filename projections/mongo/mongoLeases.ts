import type { Db } from 'mongodb';
import type { Leases } from '../readModel.js';
import { isDuplicateKey } from './mongoErrors.js';

interface LeaseDoc {
  _id: string;
  holder: string;
  expiresMs: number;
  /** the fencing token; documents from before it read as 0 (`$inc` makes the next taker 1) */
  generation?: number;
}

/**
 * One document per lease. A renewal is an update that matches only while the lease is ours and
 * unexpired, and leaves the generation alone. Taking it is a conditional upsert on `_id` that raises
 * the generation: it matches when the lease is ours or lapsed, and otherwise tries to insert the
 * same `_id`, which fails with a duplicate key — someone else holds it. FerretDB v1 does not apply
 * updates atomically, so every answer is read back before it counts (two projectors racing for a
 * lapsed lease: at most one sees its name; should both have seen it, in turn, the later one has the
 * higher generation, and the stores refuse the other's writes).
 *
 * Every operation is bounded by `timeoutMs` on the server (`maxTimeMS`), and by a fifth of the TTL
 * for a take: the caller must learn in time that it could not renew.
 */
export function createMongoLeases(db: Db, timeoutMs = 2_000): Leases {
  const leases = db.collection<LeaseDoc>('leases');
  const bounded = (ttlMs = Infinity) => ({ maxTimeMS: Math.max(1, Math.floor(Math.min(timeoutMs, ttlMs / 5))) });
  const readBack = async (name: string, holder: string, ttlMs: number) => {
    const doc = await leases.findOne({ _id: name }, bounded(ttlMs));
    return doc?.holder === holder ? (doc.generation ?? 0) : undefined;
  };
  return {
    async acquire(name, holder, ttlMs, now) {
      const at = now.getTime();
      const renewed = await leases.updateOne(
        { _id: name, holder, expiresMs: { $gt: at } },
        { $set: { expiresMs: at + ttlMs } },
        bounded(ttlMs),
      );
      if (renewed.matchedCount === 1) return readBack(name, holder, ttlMs);
      try {
        await leases.updateOne(
          { _id: name, $or: [{ holder }, { expiresMs: { $lte: at } }] },
          { $set: { holder, expiresMs: at + ttlMs }, $inc: { generation: 1 } },
          { upsert: true, ...bounded(ttlMs) },
        );
      } catch (error) {
        if (isDuplicateKey(error)) return undefined;
        throw error;
      }
      return readBack(name, holder, ttlMs);
    },
    async release(name, holder) {
      // lapsed at once, its generation kept: the next holder's is higher
      await leases.updateOne({ _id: name, holder }, { $set: { expiresMs: 0 } }, bounded());
    },
    async current(name) {
      const doc = await leases.findOne({ _id: name }, bounded());
      return doc ? { holder: doc.holder, generation: doc.generation ?? 0, expiresMs: doc.expiresMs } : undefined;
    },
  };
}
