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
