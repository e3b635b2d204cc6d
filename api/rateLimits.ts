import { RateLimiterMemory, RateLimiterRes, type IRateLimiterOptions, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RecoveryEmailKind } from '../core/accounts/events.js';
import type { EmailAllowance } from '../core/accounts/recovery.js';
import { createSignInThrottle, type SignInThrottle } from './signInThrottle.js';

/** Every default is documented in the README ("Limits"); each has an environment variable. */
export interface RateLimitSettings {
  /** consecutive failed sign-ins per login name and client address before the first delay */
  signInFailures: number;
  /** the first delay after those failures; each further round doubles it, up to `signInMaxDelayMs` */
  signInBaseDelayMs: number;
  signInMaxDelayMs: number;
  /** failed sign-ins per client address per hour, across all login names (password spraying) */
  signInFailuresPerAddressPerHour: number;
  /** failed sign-ins per login name per 24 h from all addresses; then only a password reset opens it */
  signInFailuresPerLoginNamePerDay: number;
  /** reset emails per recipient address per hour */
  resetEmailsPerAddressPerHour: number;
  /** login-name emails per recipient address per hour */
  loginNameEmailsPerAddressPerHour: number;
}

export const defaultRateLimits: RateLimitSettings = {
  signInFailures: 5,
  signInBaseDelayMs: 60_000,
  signInMaxDelayMs: 15 * 60_000,
  signInFailuresPerAddressPerHour: 100,
  signInFailuresPerLoginNamePerDay: 100,
  resetEmailsPerAddressPerHour: 5,
  loginNameEmailsPerAddressPerHour: 5,
};

/**
 * Where counters live. In-process memory by default (one process); a shared store (SQLite, MongoDB)
 * can be passed in so several API processes share one budget.
 */
export type LimiterFactory = (options: IRateLimiterOptions) => RateLimiterAbstract;

export const memoryLimiters: LimiterFactory = (options) => new RateLimiterMemory(options);


export interface RateLimits {
  signIn: SignInThrottle;
  /** one per-address budget per kind, so one kind of request cannot be used to silence the other */
  allowEmail(kind: RecoveryEmailKind, address: string): Promise<EmailAllowance>;
}

export function createRateLimits(
  overrides: Partial<RateLimitSettings> = {},
  limiter: LimiterFactory = memoryLimiters,
): RateLimits {
  const settings = { ...defaultRateLimits, ...overrides };
  const emailCaps: Record<RecoveryEmailKind, RateLimiterAbstract> = {
    reset: limiter({ keyPrefix: 'email-reset', points: settings.resetEmailsPerAddressPerHour, duration: 3600 }),
    'login-name': limiter({ keyPrefix: 'email-login-name', points: settings.loginNameEmailsPerAddressPerHour, duration: 3600 }),
  };
  return {
    signIn: createSignInThrottle(settings, limiter),
    async allowEmail(kind, address) {
      const cap = emailCaps[kind];
      try {
        await cap.consume(address.toLowerCase());
        return 'allowed';
      } catch (e) {
        if (!(e instanceof RateLimiterRes)) throw e;
        return e.consumedPoints === cap.points + 1 ? 'withheld-first' : 'withheld';
      }
    },
  };
}
