import { createServer } from 'node:http';
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { openAdapters } from './adapters.js';
import { startKeyturn } from './keyturn.js';
import { createHttpApp } from './http.js';
import { seedDemo } from './demoSeed.js';

/** Composition root: environment → adapters → services → HTTP. */
async function main() {
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
  const log = pino({ level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie', '*.token', '*.password'] });
  const adapters = openAdapters(config, log);
  const keyturn = await startKeyturn({
    ...adapters,
    log,
    publicUrl: config.publicUrl,
    welcomeLinkTtlMs: config.welcomeLinkTtlMs,
    resetLinkTtlMs: config.resetLinkTtlMs,
    sessionTtlMs: config.sessionTtlMs,
    rateLimits: config.rateLimits,
    maxBulk: config.maxBulk,
    introspection: !config.production,
  });
  if (config.seedDemo && (await adapters.store.readAll({ maxCount: 1 })).length === 0) {
    await seedDemo(keyturn.services.core, config.publicUrl, log);
  }
  const app = createHttpApp(keyturn, log, { secureCookies: config.publicUrl.startsWith('https:') });
  const server = createServer(app);
  server.listen(config.port, config.host, () => {
    log.info({ url: config.publicUrl, port: config.port, dataDir: config.dataDir, email: config.postmark ? 'postmark' : 'outbox' }, 'keyturn is running');
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: finishing requests and the batch in flight');
    server.close();
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
