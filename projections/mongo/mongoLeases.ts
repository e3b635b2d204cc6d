import type { Db } from 'mongodb';
import type { Leases } from '../readModel.js';
import { isDuplicateKey } from './mongoErrors.js';

interface LeaseDoc {
  _id: string;
  holder: string;
  expiresMs: number;
}

/**
 * One document per lease. Taking it is a conditional upsert on `_id`: it matches when the lease is
 * ours or lapsed, and otherwise tries to insert the same `_id`, which fails with a duplicate key —
 * someone else holds it. FerretDB v1 does not apply updates atomically, so a take-over of a lapsed
 * lease is read back before it counts (two projectors racing for it: at most one sees its name).
 */
export function createMongoLeases(db: Db): Leases {
  const leases = db.collection<LeaseDoc>('leases');
  return {
    async acquire(name, holder, ttlMs, now) {
      const at = now.getTime();
      try {
        await leases.updateOne(
          { _id: name, $or: [{ holder }, { expiresMs: { $lte: at } }] },
          { $set: { holder, expiresMs: at + ttlMs } },
          { upsert: true },
        );
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
      return (await leases.findOne({ _id: name }))?.holder === holder;
    },
    async release(name, holder) {
      await leases.deleteOne({ _id: name, holder });
    },
  };
}
