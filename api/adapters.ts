import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createSqliteEventStore } from '../core/eventStore/sqliteEventStore.js';
import { createEsdbEventStore } from '../core/eventStore/esdbEventStore.js';
import { createSqliteCheckpointStore } from '../core/eventStore/checkpoints.js';
import { createOutboxSender } from '../core/email/outboxSender.js';
import { createPostmarkSender } from '../core/email/postmarkSender.js';
import type { Logger } from '../core/logger.js';
import { createSqliteReadModel } from '../projections/sqlite/sqliteReadModel.js';
import { createMongoReadModel } from '../projections/mongo/mongoReadModel.js';
import { createMongoCheckpointStore } from '../projections/mongo/mongoCheckpoints.js';
import type { Config } from './config.js';
import { loadOrCreateSecret } from './secret.js';

/** Picks the adapters the configuration asks for; the embedded defaults live in DATA_DIR. */
export function openAdapters(config: Config, log: Logger) {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = config.eventStoreUrl
    ? createEsdbEventStore({ connectionString: config.eventStoreUrl, log })
    : createSqliteEventStore({ path: join(config.dataDir, 'events.db') });
  // The read model and the reactor's checkpoints live together: both in MongoDB, or both in the file.
  const readModel = config.mongodb
    ? createMongoReadModel(config.mongodb)
    : createSqliteReadModel({ path: join(config.dataDir, 'readmodel.db') });
  const checkpoints = config.mongodb
    ? createMongoCheckpointStore(config.mongodb)
    : createSqliteCheckpointStore(join(config.dataDir, 'readmodel.db'));
  const sender = config.postmark
    ? createPostmarkSender({ serverToken: config.postmark.serverToken, apiUrl: config.postmark.apiUrl, from: config.emailFrom, log })
    : // A link in a log is a password for whoever reads the log: only a developer's outbox prints it.
      createOutboxSender({ dir: join(config.dataDir, 'outbox'), log, logLinks: !config.production, from: config.emailFrom });
  const secret = loadOrCreateSecret(config.dataDir, config.secret, config.secretFile);
  return {
    store,
    readModel,
    checkpoints,
    sender,
    secret,
    async close() {
      await readModel.close();
      await checkpoints.close();
      await store.close();
    },
  };
}
