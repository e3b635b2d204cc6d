import { isIPv6 } from 'node:net';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { rateLimited } from '../core/errors.js';
import { memoryLimiters, type LimiterFactory } from './rateLimits.js';

/** Every default is documented in the README ("Limits"); each has an environment variable. */
export interface RequestLimitSettings {
  /** GraphQL requests per minute from one client address without a valid session */
  anonymousPerMinute: number;
  /**
   * GraphQL requests per minute in one session, from any address: higher, so an office manager's
   * provisioning script of a few hundred calls a minute gets through
   */
  sessionPerMinute: number;
}

export const defaultRequestLimits: RequestLimitSettings = {
  anonymousPerMinute: 300,
  sessionPerMinute: 1200,
};

/**
 * Whose budget a request spends. Only a session the store knows counts as one: a made-up bearer
 * token is an anonymous request from its address, so inventing tokens buys no extra budget.
 */
export type Caller = { kind: 'session'; tokenHash: string } | { kind: 'address'; address: string };

export interface RequestLimits {
  /** spends one request; rejects with RATE_LIMITED (with `retryAfterSeconds`) when the budget is gone */
  consume(caller: Caller): Promise<void>;
}

/**
 * The budget key of a client address. One IPv6 customer is handed a whole /64 and can pick any of
 * its 2^64 addresses: the /64 is the client. IPv4-mapped addresses are their IPv4 address.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Counters in memory by default; pass a shared store's factory so several API processes share budgets. */
export function createRequestLimits(
  settings: Partial<RequestLimitSettings> = {},
  limiter: LimiterFactory = memoryLimiters,
): RequestLimits {
  const { anonymousPerMinute, sessionPerMinute } = { ...defaultRequestLimits, ...settings };
  const perAddress = limiter({ keyPrefix: 'requests-address', points: anonymousPerMinute, duration: 60 });
  const perSession = limiter({ keyPrefix: 'requests-session', points: sessionPerMinute, duration: 60 });
  return {
    async consume(caller) {
      const [budget, key] =
        caller.kind === 'session' ? [perSession, caller.tokenHash] : [perAddress, addressKey(caller.address)];
      try {
        await budget.consume(key);
      } catch (error) {
        if (error instanceof RateLimiterRes) throw rateLimited(error.msBeforeNext, 'Too many requests.');
        throw error;
      }
    },
  };
}
