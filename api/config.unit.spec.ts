import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('given the production variables of the event store and the Postmark webhook', () => {
  it('reads EVENTSTORE_URL and the webhook credentials', () => {
    const config = loadConfig({
      EVENTSTORE_URL: 'esdb://localhost:2113?tls=false',
      POSTMARK_WEBHOOK_USER: 'postmark',
      POSTMARK_WEBHOOK_PASSWORD: 'correct-horse-battery-staple',
    });
    expect(config.eventStoreUrl).toBe('esdb://localhost:2113?tls=false');
    expect(config.postmarkWebhook).toEqual({ user: 'postmark', password: 'correct-horse-battery-staple' });
  });

  it('leaves both out by default: SQLite events, webhook route answering 404', () => {
    const config = loadConfig({});
    expect(config.eventStoreUrl).toBeUndefined();
    expect(config.postmarkWebhook).toBeUndefined();
  });

  it('refuses a connection string of another kind without repeating it (it may carry credentials)', () => {
    const run = () => loadConfig({ EVENTSTORE_URL: 'http://admin:changeit@localhost:2113' });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/EVENTSTORE_URL must be an esdb:\/\/ or esdb\+discover:\/\/ connection string/);
    expect(run).not.toThrow(/changeit/);
  });

  it('wants both webhook variables or neither, a password of 16 characters or more, and a user without ":"', () => {
    expect(() => loadConfig({ POSTMARK_WEBHOOK_USER: 'postmark' })).toThrow(
      /POSTMARK_WEBHOOK_PASSWORD must be set together/,
    );
    expect(() => loadConfig({ POSTMARK_WEBHOOK_PASSWORD: 'correct-horse-battery-staple' })).toThrow(
      /POSTMARK_WEBHOOK_USER must be set together/,
    );
    expect(() => loadConfig({ POSTMARK_WEBHOOK_USER: 'postmark', POSTMARK_WEBHOOK_PASSWORD: 'short' })).toThrow(
      /at least 16 characters/,
    );
    expect(() =>
      loadConfig({ POSTMARK_WEBHOOK_USER: 'post:mark', POSTMARK_WEBHOOK_PASSWORD: 'correct-horse-battery-staple' }),
    ).toThrow(/must not contain ":"/);
  });
});

describe('given the MongoDB read store and the projector lease', () => {
  it('reads MONGODB_URL with MONGODB_DB (default keyturn) and PROJECTOR_LEASE_TTL (default 15 s)', () => {
    expect(loadConfig({ MONGODB_URL: 'mongodb://localhost:27017' })).toMatchObject({
      mongodb: { url: 'mongodb://localhost:27017', dbName: 'keyturn' },
      projectorLeaseTtlMs: 15_000,
    });
    const config = loadConfig({ MONGODB_URL: 'mongodb+srv://cluster.example', MONGODB_DB: 'acme_prod', PROJECTOR_LEASE_TTL: '30s' });
    expect(config).toMatchObject({ mongodb: { dbName: 'acme_prod' }, projectorLeaseTtlMs: 30_000 });
    expect(loadConfig({}).mongodb).toBeUndefined();
  });

  it('refuses another kind of URL without repeating it, and an unusable database name', () => {
    const run = () => loadConfig({ MONGODB_URL: 'postgres://admin:s3cret@db:5432' });
    expect(run).toThrow(/MONGODB_URL must be a mongodb:\/\/ or mongodb\+srv:\/\/ connection string/);
    expect(run).not.toThrow(/s3cret/);
    expect(() => loadConfig({ MONGODB_URL: 'mongodb://db', MONGODB_DB: 'a.b' })).toThrow(/MONGODB_DB must be/);
    expect(() => loadConfig({ PROJECTOR_LEASE_TTL: '15' })).toThrow(/PROJECTOR_LEASE_TTL/);
  });
});
