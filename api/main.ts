import { createServer } from 'node:http';
import { ConfigError, loadConfig } from './config.js';

/**
 * Composition root: environment → adapters → services → HTTP. `npm start` runs everything here;
 * `npm run api` (`--api-only`) is the stateless API, with the projector in its own process
 * (`npm run projector`).
 */
async function main() {
  const apiOnly = process.argv.includes('--api-only');
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  // Loaded only once the configuration holds: a bad variable exits 2 without waiting for the drivers.
  const [{ openAdapters }, { startKeyturn }, { createHttpApp }, { seedDemo }, { createLog }, { loadUiHandler }] =
    await Promise.all([
      import('./adapters.js'),
      import('./keyturn.js'),
      import('./http.js'),
      import('./demoSeed.js'),
      import('./logging.js'),
      import('./ui.js'),
    ]);
  const [{ createMetrics }, { leaseHolderId }, shutdown] = await Promise.all([
    import('./operations/metrics.js'),
    import('../projections/lease.js'),
    import('./shutdown.js'),
  ]);
  // Readable in a developer's terminal, JSON in production; redaction is the net under "no secret logged".
  const log = await createLog({ level: config.logLevel, production: config.production });
  const adapters = openAdapters(config, log);
  // An unreachable store fails the start within a bound (the drivers alone would retry for 30 s or
  // more, and the lease would carry on without a projector): exit 1, saying which store.
  await Promise.all([
    shutdown.within(
      adapters.store.ping(),
      shutdown.STARTUP_STORE_BOUND_MS,
      `the event store (${eventStoreName(config)})`,
    ),
    shutdown.within(
      adapters.readModel.checkpoint(),
      shutdown.STARTUP_STORE_BOUND_MS,
      `the read store (${readStoreName(config)})`,
    ),
  ]);
  const keyturn = await startKeyturn({
    ...adapters,
    log,
    publicUrl: config.publicUrl,
    welcomeLinkTtlMs: config.welcomeLinkTtlMs,
    resetLinkTtlMs: config.resetLinkTtlMs,
    pinResetLinkTtlMs: config.pinResetLinkTtlMs,
    inviteReminderBeforeMs: config.inviteReminderBeforeMs,
    sessionTtlMs: config.sessionTtlMs,
    rateLimits: config.rateLimits,
    maxBulk: config.maxBulk,
    importMaxRows: config.importMaxRows,
    introspection: !config.production,
    metrics: createMetrics({ log, defaultMetrics: true }),
    background: !apiOnly,
    // Unique to this process: two services on one data directory never share the lease. A restart
    // after a crash waits for the lease to lapse; after SIGTERM it takes over at once (released).
    leaseHolder: leaseHolderId('keyturn'),
    leaseTtlMs: config.projectorLeaseTtlMs,
  });
  // Several API instances may start at once: only the all-in-one service seeds the demo.
  if (!apiOnly && config.seedDemo && (await adapters.store.readAll({ maxCount: 1 })).length === 0) {
    await seedDemo(keyturn.services.core, config.publicUrl, log, { logLink: !config.production });
  }
  const ui = await loadUiHandler(log);
  const app = createHttpApp(keyturn, log, {
    secureCookies: config.publicUrl.startsWith('https:'),
    postmarkWebhook: config.postmarkWebhook,
    ui,
    trustProxy: config.trustProxy,
    requestLimits: config.requestLimits,
    limiters: adapters.limiters,
    metrics: { token: config.metricsToken, production: config.production },
  });
  const server = createServer(app);
  const requests = shutdown.trackRequests(server);
  // A port taken (or not ours to take) is a start-up failure like any other: exit 1, saying so.
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `port ${config.port} on ${config.host} is already in use (PORT, HOST)`
            : `cannot listen on ${config.host}:${config.port}: ${error.message}`,
        ),
      ),
    );
    server.listen(config.port, config.host, resolve);
  });
  log.info(
    {
      url: config.publicUrl,
      port: config.port,
      dataDir: config.dataDir,
      email: config.emailTransport,
      trustProxy: config.trustProxy,
      mode: apiOnly ? 'api' : 'all-in-one',
    },
    'keyturn is running',
  );

  // Requests in flight finish before the stores close (they may still write); each subscription
  // finishes its batch in flight, whose handler saves the checkpoint, then stops.
  shutdown.exitOnSignals({
    log,
    steps: [
      { name: 'requests in flight', run: () => requests.close() },
      { name: 'the projector’s and the email reactor’s batches in flight', run: () => keyturn.stop() },
      { name: 'closing the stores', run: () => adapters.close() },
    ],
    detail: () => ({ openRequests: requests.open }),
  });
}

const eventStoreName = (config: { eventStoreUrl?: string }) =>
  config.eventStoreUrl ? `EventStoreDB at ${withoutCredentials(config.eventStoreUrl)}` : 'SQLite in DATA_DIR';
const readStoreName = (config: { mongodb?: { url: string } }) =>
  config.mongodb ? `MongoDB at ${withoutCredentials(config.mongodb.url)}` : 'SQLite in DATA_DIR';
const withoutCredentials = (url: string) => url.replace(/\/\/[^@/]*@/, '//');

main().catch((error: unknown) => {
  console.error('keyturn failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
