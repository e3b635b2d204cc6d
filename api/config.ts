import { defaultRateLimits, type RateLimitSettings } from './rateLimits.js';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  publicUrl: string;
  emailFrom: string;
  postmark?: { serverToken: string; apiUrl?: string };
  /** HTTP basic auth Postmark uses for `POST /webhooks/postmark`; the route answers 404 without it */
  postmarkWebhook?: { user: string; password: string };
  /** EventStoreDB / KurrentDB connection string; the embedded SQLite event store when absent */
  eventStoreUrl?: string;
  /** MongoDB read model and subscriber checkpoints; the SQLite file in the data dir when absent */
  mongodb?: { url: string; dbName: string };
  /** how long a crashed projector's lease blocks the next one */
  projectorLeaseTtlMs: number;
  welcomeLinkTtlMs: number;
  resetLinkTtlMs: number;
  sessionTtlMs: number;
  seedDemo: boolean;
  /** hex or base64 secret for link MACs; generated into the data dir when absent */
  secret?: string;
  rateLimits: RateLimitSettings;
  maxBulk: number;
  production: boolean;
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `<n>s|m|h|d`, e.g. `24h`, `90m`. */
export function parseDuration(variable: string, value: string): number {
  const match = /^([1-9][0-9]{0,6})([smhd])$/.exec(value.trim());
  if (!match) throw new ConfigError(variable, `must look like 30s, 90m, 24h or 7d (got "${value}")`);
  return Number(match[1]) * UNITS[match[2]!]!;
}

function integer(variable: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value.trim()) || n < min || n > max) {
    throw new ConfigError(variable, `must be a whole number from ${min} to ${max} (got "${value}")`);
  }
  return n;
}

function boolean(variable: string, value: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(variable, `must be true or false (got "${value}")`);
}

function url(variable: string, value: string): string {
  try {
    const parsed = new URL(value);
    if (!/^https?:$/.test(parsed.protocol)) throw new Error();
    return value.replace(/\/+$/, '');
  } catch {
    throw new ConfigError(variable, `must be an http(s) URL (got "${value}")`);
  }
}

/** Reads the environment once; any invalid value stops start-up with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const get = (name: string) => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const port = integer('PORT', get('PORT') ?? '3000', 0, 65535);
  const serverToken = get('POSTMARK_SERVER_TOKEN');
  const apiUrl = get('POSTMARK_API_URL');
  if (apiUrl && !serverToken) throw new ConfigError('POSTMARK_API_URL', 'needs POSTMARK_SERVER_TOKEN as well');
  const emailFrom = get('EMAIL_FROM') ?? 'Keyturn <no-reply@keyturn.local>';
  if (!/@/.test(emailFrom)) throw new ConfigError('EMAIL_FROM', `must contain an email address (got "${emailFrom}")`);
  const webhookUser = get('POSTMARK_WEBHOOK_USER');
  const webhookPassword = get('POSTMARK_WEBHOOK_PASSWORD');
  if (Boolean(webhookUser) !== Boolean(webhookPassword)) {
    const missing = webhookUser ? 'POSTMARK_WEBHOOK_PASSWORD' : 'POSTMARK_WEBHOOK_USER';
    throw new ConfigError(missing, 'must be set together with the other POSTMARK_WEBHOOK_ variable');
  }
  if (webhookPassword && webhookPassword.length < 16) throw new ConfigError('POSTMARK_WEBHOOK_PASSWORD', 'must be at least 16 characters');
  if (webhookUser?.includes(':')) throw new ConfigError('POSTMARK_WEBHOOK_USER', 'must not contain ":" (HTTP basic auth)');
  const eventStoreUrl = get('EVENTSTORE_URL');
  if (eventStoreUrl && !/^(esdb|esdb\+discover):\/\/\S+$/.test(eventStoreUrl)) {
    // not echoed: a connection string may carry credentials
    throw new ConfigError('EVENTSTORE_URL', 'must be an esdb:// or esdb+discover:// connection string');
  }
  const mongodbUrl = get('MONGODB_URL');
  if (mongodbUrl && !/^mongodb(\+srv)?:\/\/\S+$/.test(mongodbUrl)) {
    // not echoed: a connection string may carry credentials
    throw new ConfigError('MONGODB_URL', 'must be a mongodb:// or mongodb+srv:// connection string');
  }
  const mongodbDb = get('MONGODB_DB') ?? 'keyturn';
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(mongodbDb)) {
    throw new ConfigError('MONGODB_DB', `must be 1 to 63 letters, digits, _ or - (got "${mongodbDb}")`);
  }
  const secret = get('KEYTURN_SECRET');
  if (secret && secret.length < 32) throw new ConfigError('KEYTURN_SECRET', 'must be at least 32 characters');
  return {
    port,
    host: get('HOST') ?? '0.0.0.0',
    dataDir: get('DATA_DIR') ?? './data',
    publicUrl: url('PUBLIC_URL', get('PUBLIC_URL') ?? `http://localhost:${port}`),
    emailFrom,
    postmark: serverToken ? { serverToken, apiUrl: apiUrl ? url('POSTMARK_API_URL', apiUrl) : undefined } : undefined,
    postmarkWebhook: webhookUser && webhookPassword ? { user: webhookUser, password: webhookPassword } : undefined,
    eventStoreUrl,
    mongodb: mongodbUrl ? { url: mongodbUrl, dbName: mongodbDb } : undefined,
    projectorLeaseTtlMs: parseDuration('PROJECTOR_LEASE_TTL', get('PROJECTOR_LEASE_TTL') ?? '15s'),
    welcomeLinkTtlMs: parseDuration('WELCOME_LINK_TTL', get('WELCOME_LINK_TTL') ?? '24h'),
    resetLinkTtlMs: parseDuration('RESET_LINK_TTL', get('RESET_LINK_TTL') ?? '3h'),
    sessionTtlMs: parseDuration('SESSION_TTL', get('SESSION_TTL') ?? '12h'),
    seedDemo: boolean('SEED_DEMO', get('SEED_DEMO') ?? 'true'),
    secret,
    rateLimits: {
      requestsPerMinute: integer('RATE_LIMIT_REQUESTS_PER_MINUTE', get('RATE_LIMIT_REQUESTS_PER_MINUTE') ?? String(defaultRateLimits.requestsPerMinute), 1, 1_000_000),
      signInFailures: integer('RATE_LIMIT_SIGNIN_FAILURES', get('RATE_LIMIT_SIGNIN_FAILURES') ?? String(defaultRateLimits.signInFailures), 1, 1000),
      signInWindowMs: parseDuration('RATE_LIMIT_SIGNIN_WINDOW', get('RATE_LIMIT_SIGNIN_WINDOW') ?? '15m'),
      emailsPerAddressPerHour: integer('EMAIL_CAP_PER_ADDRESS_PER_HOUR', get('EMAIL_CAP_PER_ADDRESS_PER_HOUR') ?? String(defaultRateLimits.emailsPerAddressPerHour), 1, 1000),
    },
    maxBulk: integer('BULK_MAX_USERS', get('BULK_MAX_USERS') ?? '10000', 1, 100_000),
    production: env.NODE_ENV === 'production',
    logLevel: get('LOG_LEVEL') ?? 'info',
  };
}
