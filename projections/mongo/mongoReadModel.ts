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
  /** how long one lease operation may take, server selection included (default 2 s: under a third of the 15 s TTL) */
  leaseTimeoutMs?: number;
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
  // The lease has its own connection with short timeouts: a renewal that cannot reach the server must
  // fail before the lease could lapse, not after the driver's 30 s of server selection.
  const leaseTimeoutMs = options.leaseTimeoutMs ?? 2_000;
  const leaseClient = new MongoClient(options.url, {
    serverSelectionTimeoutMS: leaseTimeoutMs,
    socketTimeoutMS: leaseTimeoutMs,
    connectTimeoutMS: leaseTimeoutMs,
  });
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
    leases: createMongoLeases(leaseClient.db(options.dbName ?? 'keyturn'), leaseTimeoutMs),
    close: async () => {
      await leaseClient.close();
      await client.close();
    },
    versionRefreshMs: options.versionRefreshMs,
  });
}
