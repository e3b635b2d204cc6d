/**
 * The stores one bench service runs on, as `api/adapters.ts` picks them: the SQLite event store in
 * `dir`, and the read model with its neighbours (data keys, the reactor's checkpoints, rate-limit
 * counters) either in SQLite files in `dir` or, given `mongoUrl`, in a fresh MongoDB database.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createSqliteCheckpointStore } from '../core/eventStore/checkpoints.js';
import { createSqliteEventStore } from '../core/eventStore/sqliteEventStore.js';
import { withPersonalData } from '../core/personalData/personalDataStore.js';
import { createMongoCheckpointStore } from '../projections/mongo/mongoCheckpoints.js';
import { createMongoDataKeys } from '../projections/mongo/mongoDataKeys.js';
import { createMongoLimiters } from '../projections/mongo/mongoLimiters.js';
import { createMongoReadModel } from '../projections/mongo/mongoReadModel.js';
import { createSqliteDataKeys } from '../projections/sqlite/sqliteDataKeys.js';
import { createSqliteLimiters } from '../projections/sqlite/sqliteLimiters.js';
import { createSqliteReadModel } from '../projections/sqlite/sqliteReadModel.js';
import type { ReadModel } from '../projections/readModel.js';
import { onboardOrganization } from '../core/organizations/onboardOrganization.js';
import { openSession } from '../api/auth/sessions.js';
import type { Keyturn } from '../api/keyturn.js';

/** A database of its own per service: benches never see each other's documents. */
export const benchDbName = () => `bench_${randomBytes(6).toString('hex')}`;

export function openBenchStores(dir: string, secret: Buffer, mongoUrl?: string) {
  const readModelPath = join(dir, 'readmodel.db');
  const mongo = mongoUrl ? { url: mongoUrl, dbName: benchDbName() } : undefined;
  const dataKeys = mongo
    ? createMongoDataKeys({ ...mongo, secret })
    : createSqliteDataKeys({ path: readModelPath, secret });
  const store = withPersonalData(createSqliteEventStore({ path: join(dir, 'events.db') }), dataKeys);
  const readModel = mongo ? createMongoReadModel(mongo) : createSqliteReadModel({ path: readModelPath });
  const checkpoints = mongo ? createMongoCheckpointStore(mongo) : createSqliteCheckpointStore(readModelPath);
  const limiters = mongo ? createMongoLimiters(mongo) : createSqliteLimiters(join(dir, 'limits.db'));
  return {
    mongo,
    dataKeys,
    store,
    readModel,
    checkpoints,
    limiters,
    async close() {
      await readModel.close();
      await checkpoints.close();
      await limiters.close();
      await store.close();
      await dataKeys.close();
    },
  };
}

/**
 * The bench organization and its office manager, signed in: the session a bench drives requests
 * with. Waits until the manager is in the read model, as a sign-in would.
 */
export async function benchManagerSession(keyturn: Keyturn, readModel: ReadModel) {
  const org = await onboardOrganization(keyturn.services.core, {
    name: 'Bench',
    domain: 'bench',
    manager: { name: 'Manager', extension: '10', email: 'm@bench.example' },
  });
  for (let i = 0; !(await readModel.users.get(org.organizationId, org.managerId)); i++) {
    if (i > 2000) throw new Error('the manager never reached the read model');
    await new Promise((r) => setTimeout(r, 5));
  }
  const account = {
    id: org.managerId,
    organizationId: org.organizationId,
    role: 'OFFICE_MANAGER' as const,
    credentialVersion: 0,
  } as Parameters<typeof openSession>[1];
  const { token } = await openSession(keyturn.services, account, 'keyturn bench');
  return { org, token };
}
