import { hostname } from 'node:os';
import { join } from 'node:path';
import { openAdapters } from '../api/adapters.js';
import { rebuildProjections } from '../projections/rebuild.js';
import { createSqliteBulkLoad } from '../projections/sqlite/sqliteBulkLoad.js';
import { loadConfigOrExit, processLogger } from './runtime.js';

/**
 * `npm run projections:rebuild`: replays every event into the next projection version while reads
 * stay on the active one, then switches (itself, or through the running projector). Safe to run
 * beside `npm start` or `npm run api` + `npm run projector`; run one rebuild at a time. On the embedded
 * read model the new version is bulk-loaded (see `sqliteBulkLoad.ts`); a rebuild that dies part-way
 * leaves an inactive version that the next run drops and fills again.
 */
async function main() {
  const config = loadConfigOrExit();
  const log = processLogger(config);
  const adapters = openAdapters(config, log);
  const started = Date.now();
  try {
    const result = await rebuildProjections({
      store: adapters.store,
      readModel: adapters.readModel,
      log,
      holder: `rebuild@${hostname()}:${process.pid}`,
      leaseTtlMs: config.projectorLeaseTtlMs,
      // The file `openAdapters` opens the embedded read model on (MongoDB replays through `apply`).
      bulkLoad: config.mongodb ? undefined : createSqliteBulkLoad({ path: join(config.dataDir, 'readmodel.db') }),
    });
    log.info({ ...result, ms: Date.now() - started }, 'rebuild finished');
  } finally {
    await adapters.close();
  }
}

main().catch((error: unknown) => {
  console.error('rebuild failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
