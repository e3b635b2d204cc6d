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

describe('given NODE_ENV=production', () => {
  const production = { NODE_ENV: 'production' };

  it('refuses to start without POSTMARK_SERVER_TOKEN, naming it and the explicit way out', () => {
    const run = () => loadConfig(production);
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/POSTMARK_SERVER_TOKEN must be set when NODE_ENV=production .*EMAIL_TRANSPORT=outbox/);
  });

  it('sends through Postmark with the token, and keeps emails in the outbox only when EMAIL_TRANSPORT=outbox says so', () => {
    expect(loadConfig({ ...production, POSTMARK_SERVER_TOKEN: 'server-token' })).toMatchObject({
      emailTransport: 'postmark',
      postmark: { serverToken: 'server-token' },
    });
    const outbox = loadConfig({ ...production, EMAIL_TRANSPORT: 'outbox' });
    expect(outbox.emailTransport).toBe('outbox');
    expect(outbox.postmark).toBeUndefined();
  });

  it('seeds no demo organization unless SEED_DEMO=true is set', () => {
    expect(loadConfig({ ...production, EMAIL_TRANSPORT: 'outbox' }).seedDemo).toBe(false);
    expect(loadConfig({ ...production, EMAIL_TRANSPORT: 'outbox', SEED_DEMO: 'true' }).seedDemo).toBe(true);
  });

  it('keeps /metrics closed unless METRICS_TOKEN is set, which must be 16 characters or more', () => {
    const config = loadConfig({ ...production, EMAIL_TRANSPORT: 'outbox', METRICS_TOKEN: 'scrape-me-0123456789' });
    expect(config).toMatchObject({ production: true, metricsToken: 'scrape-me-0123456789' });
    expect(loadConfig({ ...production, EMAIL_TRANSPORT: 'outbox' }).metricsToken).toBeUndefined();
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be at least 16 characters/);
  });
});

describe('given the development defaults', () => {
  it('writes emails to the outbox, seeds the demo and trusts no proxy', () => {
    expect(loadConfig({})).toMatchObject({ production: false, emailTransport: 'outbox', seedDemo: true, trustProxy: false });
  });

  it('refuses EMAIL_TRANSPORT=postmark without its token, and an unknown transport', () => {
    expect(() => loadConfig({ EMAIL_TRANSPORT: 'postmark' })).toThrow(/POSTMARK_SERVER_TOKEN must be set when EMAIL_TRANSPORT=postmark/);
    expect(() => loadConfig({ EMAIL_TRANSPORT: 'smtp' })).toThrow(/EMAIL_TRANSPORT must be postmark or outbox \(got "smtp"\)/);
  });
});

describe('given TRUST_PROXY', () => {
  it('reads off, loopback, a hop count, and addresses or CIDRs', () => {
    const trust = (value: string) => loadConfig({ TRUST_PROXY: value }).trustProxy;
    expect(trust('false')).toBe(false);
    expect(trust('loopback')).toEqual(['loopback']);
    expect(trust('2')).toBe(2);
    expect(trust('10.0.0.5, 192.168.0.0/16, ::1, fd00::/8')).toEqual(['10.0.0.5', '192.168.0.0/16', '::1', 'fd00::/8']);
  });

  it('refuses "true", "*" and anything it cannot read: they would believe every client', () => {
    for (const value of ['true', '*', '10.0.0.0/33', 'proxy.example', '10.0.0.5,']) {
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY must be false, loopback, a hop count/);
    }
  });
});

describe('given the request budgets', () => {
  it('defaults to 300 anonymous requests per address and 1,200 per session a minute, each configurable', () => {
    expect(loadConfig({}).requestLimits).toEqual({ anonymousPerMinute: 300, sessionPerMinute: 1200 });
    expect(
      loadConfig({ RATE_LIMIT_REQUESTS_PER_MINUTE: '60', RATE_LIMIT_SESSION_REQUESTS_PER_MINUTE: '6000' }).requestLimits,
    ).toEqual({ anonymousPerMinute: 60, sessionPerMinute: 6000 });
    expect(() => loadConfig({ RATE_LIMIT_SESSION_REQUESTS_PER_MINUTE: '0' })).toThrow(/RATE_LIMIT_SESSION_REQUESTS_PER_MINUTE/);
  });
});

describe('given the secret key settings', () => {
  it('reads KEYTURN_SECRET_FILE, and refuses it together with KEYTURN_SECRET', () => {
    expect(loadConfig({ KEYTURN_SECRET_FILE: '/run/secrets/keyturn.key' }).secretFile).toBe('/run/secrets/keyturn.key');
    expect(() =>
      loadConfig({ KEYTURN_SECRET_FILE: '/run/secrets/keyturn.key', KEYTURN_SECRET: 'x'.repeat(32) }),
    ).toThrow(/KEYTURN_SECRET_FILE cannot be used together with KEYTURN_SECRET/);
  });
});
