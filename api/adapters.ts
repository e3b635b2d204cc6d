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
import { createMongoLimiters } from '../projections/mongo/mongoLimiters.js';
import { createSqliteLimiters } from '../projections/sqlite/sqliteLimiters.js';
import { createMongoCheckpointStore } from '../projections/mongo/mongoCheckpoints.js';
import type { DataKeys } from '../core/personalData/dataKeys.js';
import { withPersonalData } from '../core/personalData/personalDataStore.js';
import { createSqliteDataKeys } from '../projections/sqlite/sqliteDataKeys.js';
import { truncateSqliteJournals } from '../projections/sqlite/sqliteJournal.js';
import { createMongoDataKeys } from '../projections/mongo/mongoDataKeys.js';
import type { Config } from './config.js';
import { loadOrCreateSecret } from './secret.js';

/**
 * The data key store, beside the read model: the `account_keys` table of `readmodel.db`, or the
 * `accountKeys` collection. Its keys are wrapped with a key derived from the server secret.
 */
export function openDataKeys(config: Config, secret: Buffer): DataKeys {
  return config.mongodb
    ? createMongoDataKeys({ ...config.mongodb, secret })
    : createSqliteDataKeys({ path: join(config.dataDir, 'readmodel.db'), secret });
}

/** Picks the adapters the configuration asks for; the embedded defaults live in DATA_DIR. */
export function openAdapters(config: Config, log: Logger) {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const secret = loadOrCreateSecret(config.dataDir, config.secret, config.secretFile);
  const dataKeys = openDataKeys(config, secret);
  // Every event goes through the personal-data step: sealed on the way in, opened on the way out.
  const store = withPersonalData(
    config.eventStoreUrl
      ? createEsdbEventStore({ connectionString: config.eventStoreUrl, log })
      : createSqliteEventStore({ path: join(config.dataDir, 'events.db') }),
    dataKeys,
    log,
  );
  // The read model and the reactor's checkpoints live together: both in MongoDB, or both in the file.
  const readModel = config.mongodb
    ? createMongoReadModel(config.mongodb)
    : createSqliteReadModel({ path: join(config.dataDir, 'readmodel.db') });
  const checkpoints = config.mongodb
    ? createMongoCheckpointStore(config.mongodb)
    : createSqliteCheckpointStore(join(config.dataDir, 'readmodel.db'));
  // Where emails are kept as files, which an erasure deletes; none with Postmark.
  const outboxDir = config.postmark ? undefined : join(config.dataDir, 'outbox');
  const sender = config.postmark
    ? createPostmarkSender({
        serverToken: config.postmark.serverToken,
        apiUrl: config.postmark.apiUrl,
        from: config.emailFrom,
        log,
      })
    : // A link in a log is a password for whoever reads the log: only a developer's outbox prints it.
      createOutboxSender({ dir: outboxDir!, log, logLinks: !config.production, from: config.emailFrom });
  // The embedded read model and key store file: its WAL is emptied after an erasure.
  const readModelFile = join(config.dataDir, 'readmodel.db');
  // Sign-in and email budgets shared by every process on the same store (in its own file on SQLite).
  const limiters = config.mongodb
    ? createMongoLimiters(config.mongodb)
    : createSqliteLimiters(join(config.dataDir, 'limits.db'));
  return {
    store,
    readModel,
    checkpoints,
    sender,
    secret,
    dataKeys,
    outboxDir,
    limiters: limiters.factory,
    truncateJournals: config.mongodb ? undefined : () => truncateSqliteJournals([readModelFile]),
    async close() {
      await readModel.close();
      await checkpoints.close();
      await dataKeys.close();
      await limiters.close();
      await store.close();
    },
  };
}
