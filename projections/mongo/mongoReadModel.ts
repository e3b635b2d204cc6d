import { MongoClient } from 'mongodb';
import type { ProjectionStore, ReadModel } from '../readModel.js';
import { versionedReadModel } from '../versioned.js';
import { createMongoLeases } from './mongoLeases.js';
import { dropMongoVersion, openMongoVersion } from './mongoProjection.js';
import { createMongoSessions } from './mongoSessions.js';
import { createMongoVersionRecord } from './mongoVersions.js';

export interface MongoReadModelOptions {
  /** `mongodb://…`; MongoDB 6+ or FerretDB v1 */
  url: string;
  /** default `keyturn` */
  dbName?: string;
  /** see `versionedReadModel` */
  versionRefreshMs?: number;
}

/**
 * The read model on MongoDB: `users_vN` / `audit_vN` per projection version, `checkpoints`,
 * `active_version`, `sessions`, `leases`. Uses only what MongoDB and FerretDB v1 both support: no
 * transactions (see `openMongoVersion` for replay safety without them), no TTL index, no `$expr`,
 * no collation (sort and match keys are computed in `userKeys.ts`).
 *
 * Connects on first use. Collections and indexes are created by whoever writes them first: the
 * projector (or a rebuild) for projections, the first sign-in for sessions.
 */
export function createMongoReadModel(options: MongoReadModelOptions): ReadModel {
  // ignoreUndefined: an optional field left undefined is left out, as JSON.stringify does in SQLite
  const client = new MongoClient(options.url, { ignoreUndefined: true });
  const db = client.db(options.dbName ?? 'keyturn');
  const opened = new Map<number, ProjectionStore>();
  const open = async (version: number) => {
    let store = opened.get(version);
    if (!store) opened.set(version, (store = openMongoVersion(db, version)));
    return store;
  };

  return versionedReadModel({
    ...createMongoVersionRecord(db),
    open,
    async drop(version) {
      opened.delete(version);
      await dropMongoVersion(db, version);
    },
    sessions: createMongoSessions(db),
    leases: createMongoLeases(db),
    close: () => client.close(),
    versionRefreshMs: options.versionRefreshMs,
  });
}
