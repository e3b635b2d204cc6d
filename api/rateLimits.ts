import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { KeyturnError } from '../core/errors.js';

export interface RateLimitSettings {
  /** requests per client address per minute, on every GraphQL request */
  requestsPerMinute: number;
  /** failed sign-ins per login name before it is locked for the window */
  signInFailures: number;
  signInWindowMs: number;
  /** emails (reset, login name) per address per hour */
  emailsPerAddressPerHour: number;
}

export const defaultRateLimits: RateLimitSettings = {
  requestsPerMinute: 300,
  signInFailures: 5,
  signInWindowMs: 15 * 60_000,
  emailsPerAddressPerHour: 5,
};

export interface RateLimits {
  /** rejects with RATE_LIMITED when the client address made too many requests */
  request(clientAddress: string): Promise<void>;
  assertSignInAllowed(loginName: string): Promise<void>;
  signInFailed(loginName: string): Promise<void>;
  signInSucceeded(loginName: string): Promise<void>;
  allowEmailTo(address: string): Promise<boolean>;
}

const limited = () => new KeyturnError('RATE_LIMITED', 'Too many attempts. Please wait a little and try again.');

/** In-process counters (rate-limiter-flexible): per API instance, which is the documented default. */
export function createRateLimits(settings: RateLimitSettings = defaultRateLimits): RateLimits {
  const requests = new RateLimiterMemory({ points: settings.requestsPerMinute, duration: 60 });
  const signIns = new RateLimiterMemory({
    points: settings.signInFailures,
    duration: Math.ceil(settings.signInWindowMs / 1000),
  });
  const emails = new RateLimiterMemory({ points: settings.emailsPerAddressPerHour, duration: 3600 });
  return {
    async request(clientAddress) {
      await requests.consume(clientAddress).catch((e: unknown) => {
        if (e instanceof RateLimiterRes) throw limited();
        throw e;
      });
    },
    async assertSignInAllowed(loginName) {
      const res = await signIns.get(loginName);
      if (res && res.consumedPoints >= settings.signInFailures) throw limited();
    },
    async signInFailed(loginName) {
      await signIns.consume(loginName).catch(() => undefined);
    },
    async signInSucceeded(loginName) {
      await signIns.delete(loginName);
    },
    async allowEmailTo(address) {
      try {
        await emails.consume(address.toLowerCase());
        return true;
      } catch {
        return false;
      }
    },
  };
}
