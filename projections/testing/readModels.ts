import type { ReadModel } from '../readModel.js';
import { createSqliteReadModel } from '../sqlite/sqliteReadModel.js';

/** How to open one read model, in this process or in a child: JSON-safe. */
export type ReadModelSpec = { kind: 'sqlite'; path: string } | { kind: 'mongo'; url: string; dbName: string };

export async function openReadModel(spec: ReadModelSpec): Promise<ReadModel> {
  if (spec.kind === 'sqlite') return createSqliteReadModel({ path: spec.path });
  // Loaded only for MongoDB, so SQLite runs never load the driver.
  const { createMongoReadModel } = await import('../mongo/mongoReadModel.js');
  return createMongoReadModel({ url: spec.url, dbName: spec.dbName });
}
