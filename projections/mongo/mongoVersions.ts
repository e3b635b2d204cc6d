import type { Db } from 'mongodb';
import type { VersionRecord } from '../versioned.js';

interface VersionDoc {
  _id: string;
  active: number;
  requested: number | null;
}

const RECORD = 'read-model';

/** The one `active_version` document; absent means version 1, the version a new database starts on. */
export function createMongoVersionRecord(db: Db) {
  const versions = db.collection<VersionDoc>('active_version');
  return {
    async readRecord(): Promise<VersionRecord> {
      const doc = await versions.findOne({ _id: RECORD });
      if (!doc) return { active: 1 };
      return doc.requested === null ? { active: doc.active } : { active: doc.active, requested: doc.requested };
    },
    async writeRecord(record: VersionRecord) {
      await versions.updateOne(
        { _id: RECORD },
        { $set: { active: record.active, requested: record.requested ?? null } },
        { upsert: true },
      );
    },
  };
}
