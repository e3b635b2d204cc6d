import type { DataKeys } from '../../core/personalData/dataKeys.js';
import type { ReadModel } from '../readModel.js';
import { createSqliteDataKeys } from '../sqlite/sqliteDataKeys.js';
import { createSqliteReadModel } from '../sqlite/sqliteReadModel.js';

/** How to open one read model, in this process or in a child: JSON-safe. */
export type ReadModelSpec = { kind: 'sqlite'; path: string } | { kind: 'mongo'; url: string; dbName: string };

export async function openReadModel(spec: ReadModelSpec): Promise<ReadModel> {
  if (spec.kind === 'sqlite') return createSqliteReadModel({ path: spec.path });
  // Loaded only for MongoDB, so SQLite runs never load the driver.
  const { createMongoReadModel } = await import('../mongo/mongoReadModel.js');
  return createMongoReadModel({ url: spec.url, dbName: spec.dbName });
}

/** The server secret of processes started from a spec: a test's own, never a real one. */
const TEST_SECRET = Buffer.from('keyturn-test-secret-for-child-processes-only', 'utf8');

/** The data key store beside that read model, as the service keeps it. */
export async function openDataKeys(spec: ReadModelSpec): Promise<DataKeys> {
  if (spec.kind === 'sqlite') return createSqliteDataKeys({ path: spec.path, secret: TEST_SECRET });
  const { createMongoDataKeys } = await import('../mongo/mongoDataKeys.js');
  return createMongoDataKeys({ url: spec.url, dbName: spec.dbName, secret: TEST_SECRET });
}
