import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteCheckpointStore, type CheckpointStore } from '../../core/eventStore/checkpoints.js';
import type { DataKeys } from '../../core/personalData/dataKeys.js';
import type { ReadModel } from '../../projections/readModel.js';
import { createSqliteDataKeys } from '../../projections/sqlite/sqliteDataKeys.js';
import { createSqliteReadModel } from '../../projections/sqlite/sqliteReadModel.js';

export interface ReadStores {
  readModel(): ReadModel;
  checkpoints(): CheckpointStore;
  /** the data key store beside the read model, its keys wrapped with this secret */
  dataKeys(secret: Buffer): DataKeys;
}

/**
 * The read store a test app runs on, chosen by the vitest project: in-memory SQLite, or — in the
 * `mongo` project, which sets KEYTURN_TEST_READ_MODEL=mongo and starts FerretDB — a fresh MongoDB
 * database per app, so every GraphQL spec runs once on each adapter. Instances from one call share
 * their data when `shared` is set (MongoDB: always), as separate processes would.
 */
export async function readStoresForTests(options: { shared?: boolean } = {}): Promise<ReadStores> {
  const kind = process.env.KEYTURN_TEST_READ_MODEL ?? 'sqlite';
  if (kind === 'sqlite') {
    // shared: every instance opens the same file, as several processes would
    const path = options.shared ? join(mkdtempSync(join(tmpdir(), 'keyturn-read-')), 'readmodel.db') : ':memory:';
    return {
      readModel: () => createSqliteReadModel({ path }),
      checkpoints: () => createSqliteCheckpointStore(path),
      dataKeys: (secret) => createSqliteDataKeys({ path, secret }),
    };
  }
  if (kind !== 'mongo') throw new Error(`KEYTURN_TEST_READ_MODEL must be sqlite or mongo (got "${kind}")`);
  // Loaded only here, so the SQLite runs never load the driver.
  const { testMongoUrl, freshDbName } = await import('../../projections/mongo/testing.js');
  const { createMongoReadModel } = await import('../../projections/mongo/mongoReadModel.js');
  const { createMongoCheckpointStore } = await import('../../projections/mongo/mongoCheckpoints.js');
  const { createMongoDataKeys } = await import('../../projections/mongo/mongoDataKeys.js');
  const url = testMongoUrl();
  const dbName = freshDbName('app');
  return {
    readModel: () => createMongoReadModel({ url, dbName }),
    checkpoints: () => createMongoCheckpointStore({ url, dbName }),
    dataKeys: (secret) => createMongoDataKeys({ url, dbName, secret }),
  };
}
