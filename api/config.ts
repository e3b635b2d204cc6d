import { defaultRateLimits, type RateLimitSettings } from './rateLimits.js';
import { defaultRequestLimits, type RequestLimitSettings } from './requestLimits.js';
import { parseTrustProxy, type TrustProxy } from './trustProxy.js';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  publicUrl: string;
  emailFrom: string;
  /**
   * `postmark` when POSTMARK_SERVER_TOKEN is set; `outbox` (files in DATA_DIR/outbox) otherwise — in
   * production only when EMAIL_TRANSPORT=outbox says so, since the outbox holds live links
   */
  emailTransport: 'postmark' | 'outbox';
  /** set exactly when `emailTransport` is `postmark` */
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
  pinResetLinkTtlMs: number;
  /** 0: no reminders */
  inviteReminderBeforeMs: number;
  sessionTtlMs: number;
  seedDemo: boolean;
  /** hex or base64 secret for link MACs; generated into the data dir when absent */
  secret?: string;
  /** KEYTURN_SECRET_FILE: where the generated secret lives instead of DATA_DIR/secret.key (e.g. off the backups) */
  secretFile?: string;
  /** TRUST_PROXY: whose X-Forwarded-For to believe; false: the socket's address is the client's */
  trustProxy: TrustProxy;
  /** GraphQL requests per minute: per anonymous client address, per session */
  requestLimits: RequestLimitSettings;
  /** METRICS_TOKEN: `/metrics` wants it as a bearer token; without it, 404 in production */
  metricsToken?: string;
  rateLimits: RateLimitSettings;
  maxBulk: number;
  importMaxRows: number;
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

/**
 * Outbox files hold live links: in production they are only chosen by name, never by a forgotten
 * token. Asking for Postmark without its token is refused in any environment.
 */
function emailTransportOf(chosen: string | undefined, serverToken: string | undefined, production: boolean) {
  if (chosen !== undefined && chosen !== 'postmark' && chosen !== 'outbox') {
    throw new ConfigError('EMAIL_TRANSPORT', `must be postmark or outbox (got "${chosen}")`);
  }
  const transport = chosen ?? (serverToken || production ? 'postmark' : 'outbox');
  if (transport === 'postmark' && !serverToken) {
    throw new ConfigError(
      'POSTMARK_SERVER_TOKEN',
      chosen
        ? 'must be set when EMAIL_TRANSPORT=postmark'
        : 'must be set when NODE_ENV=production (or set EMAIL_TRANSPORT=outbox to keep emails as files in DATA_DIR/outbox, links included)',
    );
  }
  return transport;
}

/** Reads the environment once; any invalid value stops start-up with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const get = (name: string) => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const port = integer('PORT', get('PORT') ?? '3000', 0, 65535);
  const production = env.NODE_ENV === 'production';
  const serverToken = get('POSTMARK_SERVER_TOKEN');
  const apiUrl = get('POSTMARK_API_URL');
  if (apiUrl && !serverToken) throw new ConfigError('POSTMARK_API_URL', 'needs POSTMARK_SERVER_TOKEN as well');
  const emailTransport = emailTransportOf(get('EMAIL_TRANSPORT'), serverToken, production);
  const emailFrom = get('EMAIL_FROM') ?? 'Keyturn <no-reply@keyturn.local>';
  if (!/@/.test(emailFrom)) throw new ConfigError('EMAIL_FROM', `must contain an email address (got "${emailFrom}")`);
  const webhookUser = get('POSTMARK_WEBHOOK_USER');
  const webhookPassword = get('POSTMARK_WEBHOOK_PASSWORD');
  if (Boolean(webhookUser) !== Boolean(webhookPassword)) {
    const missing = webhookUser ? 'POSTMARK_WEBHOOK_PASSWORD' : 'POSTMARK_WEBHOOK_USER';
    throw new ConfigError(missing, 'must be set together with the other POSTMARK_WEBHOOK_ variable');
  }
  if (webhookPassword && webhookPassword.length < 16)
    throw new ConfigError('POSTMARK_WEBHOOK_PASSWORD', 'must be at least 16 characters');
  if (webhookUser?.includes(':'))
    throw new ConfigError('POSTMARK_WEBHOOK_USER', 'must not contain ":" (HTTP basic auth)');
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
  const secretFile = get('KEYTURN_SECRET_FILE');
  if (secret && secretFile)
    throw new ConfigError('KEYTURN_SECRET_FILE', 'cannot be used together with KEYTURN_SECRET: set one of them');
  const trustProxy = parseTrustProxy(get('TRUST_PROXY'));
  if (trustProxy === undefined) {
    throw new ConfigError(
      'TRUST_PROXY',
      `must be false, loopback, a hop count, or comma-separated addresses/CIDRs (got "${get('TRUST_PROXY')}")`,
    );
  }
  const metricsToken = get('METRICS_TOKEN');
  if (metricsToken && metricsToken.length < 16)
    throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters');
  return {
    port,
    host: get('HOST') ?? '0.0.0.0',
    dataDir: get('DATA_DIR') ?? './data',
    publicUrl: url('PUBLIC_URL', get('PUBLIC_URL') ?? `http://localhost:${port}`),
    emailFrom,
    emailTransport,
    postmark:
      emailTransport === 'postmark' && serverToken
        ? { serverToken, apiUrl: apiUrl ? url('POSTMARK_API_URL', apiUrl) : undefined }
        : undefined,
    postmarkWebhook: webhookUser && webhookPassword ? { user: webhookUser, password: webhookPassword } : undefined,
    eventStoreUrl,
    mongodb: mongodbUrl ? { url: mongodbUrl, dbName: mongodbDb } : undefined,
    projectorLeaseTtlMs: parseDuration('PROJECTOR_LEASE_TTL', get('PROJECTOR_LEASE_TTL') ?? '15s'),
    welcomeLinkTtlMs: parseDuration('WELCOME_LINK_TTL', get('WELCOME_LINK_TTL') ?? '24h'),
    resetLinkTtlMs: parseDuration('RESET_LINK_TTL', get('RESET_LINK_TTL') ?? '3h'),
    pinResetLinkTtlMs: parseDuration('PIN_RESET_LINK_TTL', get('PIN_RESET_LINK_TTL') ?? '3h'),
    inviteReminderBeforeMs: /^\s*0\s*$/.test(get('INVITE_REMINDER_BEFORE') ?? '')
      ? 0
      : parseDuration('INVITE_REMINDER_BEFORE', get('INVITE_REMINDER_BEFORE') ?? '4h'),
    sessionTtlMs: parseDuration('SESSION_TTL', get('SESSION_TTL') ?? '12h'),
    // A demo organization in production would be a real account anyone reading the docs knows of.
    seedDemo: boolean('SEED_DEMO', get('SEED_DEMO') ?? String(!production)),
    secret,
    secretFile,
    trustProxy,
    requestLimits: {
      anonymousPerMinute: integer(
        'RATE_LIMIT_REQUESTS_PER_MINUTE',
        get('RATE_LIMIT_REQUESTS_PER_MINUTE') ?? String(defaultRequestLimits.anonymousPerMinute),
        1,
        1_000_000,
      ),
      sessionPerMinute: integer(
        'RATE_LIMIT_SESSION_REQUESTS_PER_MINUTE',
        get('RATE_LIMIT_SESSION_REQUESTS_PER_MINUTE') ?? String(defaultRequestLimits.sessionPerMinute),
        1,
        1_000_000,
      ),
    },
    metricsToken,
    rateLimits: {
      signInFailures: integer(
        'RATE_LIMIT_SIGNIN_FAILURES',
        get('RATE_LIMIT_SIGNIN_FAILURES') ?? String(defaultRateLimits.signInFailures),
        1,
        1000,
      ),
      signInBaseDelayMs: parseDuration('RATE_LIMIT_SIGNIN_DELAY', get('RATE_LIMIT_SIGNIN_DELAY') ?? '1m'),
      signInMaxDelayMs: parseDuration('RATE_LIMIT_SIGNIN_MAX_DELAY', get('RATE_LIMIT_SIGNIN_MAX_DELAY') ?? '15m'),
      signInFailuresPerAddressPerHour: integer(
        'RATE_LIMIT_SIGNIN_FAILURES_PER_ADDRESS_PER_HOUR',
        get('RATE_LIMIT_SIGNIN_FAILURES_PER_ADDRESS_PER_HOUR') ??
          String(defaultRateLimits.signInFailuresPerAddressPerHour),
        1,
        1_000_000,
      ),
      signInFailuresPerLoginNamePerDay: integer(
        'RATE_LIMIT_SIGNIN_FAILURES_PER_LOGIN_PER_DAY',
        get('RATE_LIMIT_SIGNIN_FAILURES_PER_LOGIN_PER_DAY') ??
          String(defaultRateLimits.signInFailuresPerLoginNamePerDay),
        1,
        1_000_000,
      ),
      resetEmailsPerAddressPerHour: integer(
        'EMAIL_CAP_RESET_PER_ADDRESS_PER_HOUR',
        get('EMAIL_CAP_RESET_PER_ADDRESS_PER_HOUR') ?? String(defaultRateLimits.resetEmailsPerAddressPerHour),
        1,
        1000,
      ),
      loginNameEmailsPerAddressPerHour: integer(
        'EMAIL_CAP_LOGIN_NAME_PER_ADDRESS_PER_HOUR',
        get('EMAIL_CAP_LOGIN_NAME_PER_ADDRESS_PER_HOUR') ?? String(defaultRateLimits.loginNameEmailsPerAddressPerHour),
        1,
        1000,
      ),
    },
    maxBulk: integer('BULK_MAX_USERS', get('BULK_MAX_USERS') ?? '10000', 1, 100_000),
    importMaxRows: integer('IMPORT_MAX_ROWS', get('IMPORT_MAX_ROWS') ?? '10000', 1, 100_000),
    production,
    logLevel: get('LOG_LEVEL') ?? 'info',
  };
}
