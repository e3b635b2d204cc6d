import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from './config.js';
import { openAdapters } from './adapters.js';
import { startKeyturn } from './keyturn.js';
import { createHttpApp } from './http.js';
import { seedDemo } from './demoSeed.js';
import { createLog } from './logging.js';
import { loadUiHandler } from './ui.js';
import { createMetrics } from './operations/metrics.js';

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
  // Readable in a developer's terminal, JSON in production; redaction is the net under "no secret logged".
  const log = await createLog({ level: config.logLevel, production: config.production });
  const adapters = openAdapters(config, log);
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
    // Stable per data directory: after a crash, the restarted service takes its own lease back at once.
    leaseHolder: `keyturn@${hostname()}:${resolve(config.dataDir)}`,
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
  server.listen(config.port, config.host, () => {
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
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: finishing requests and the batch in flight');
    // Requests in flight finish before the stores close (they may still write); 10 s at most.
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 10_000).unref();
    });
    // Each subscription finishes its batch in flight, whose handler saves the checkpoint, then stops.
    await keyturn.stop();
    await adapters.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('keyturn failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
