import { openAdapters } from '../api/adapters.js';
import { startWorker } from '../api/worker.js';
import { leaseHolderId } from '../projections/lease.js';
import { loadConfigOrExit, onSignals, processLogger } from './runtime.js';

/**
 * `npm run projector`: the projections and the email reactor, no HTTP. Start one or more; the one
 * holding the projector lease works, the others stand by and take over when it stops or dies.
 * SIGTERM finishes the batch in flight (its checkpoint is saved with it), then gives the lease up.
 */
async function main() {
  const config = loadConfigOrExit();
  const log = processLogger(config);
  const adapters = openAdapters(config, log);
  const worker = await startWorker({
    ...adapters,
    log,
    publicUrl: config.publicUrl,
    leaseHolder: leaseHolderId('projector'),
    leaseTtlMs: config.projectorLeaseTtlMs,
  });
  log.info({ active: worker.active, readModel: config.mongodb ? 'mongodb' : 'sqlite' }, 'projector started');
  onSignals(async (signal) => {
    log.info({ signal }, 'stopping: finishing the batch in flight');
    await worker.stop();
    await adapters.close();
    log.info('stopped');
  });
}

main().catch((error: unknown) => {
  console.error('projector failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
