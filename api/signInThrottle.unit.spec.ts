import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyturnError } from '../core/errors.js';
import { defaultRateLimits, memoryLimiters } from './rateLimits.js';
import { createSignInThrottle, type SignInAttempt } from './signInThrottle.js';

const ben = (clientAddress = '198.51.100.7', credentialVersion = 1): SignInAttempt => ({
  loginName: '101@acme',
  clientAddress,
  credentialVersion,
});

/** A password check that counts how often it ran, answering `right` after a tick (like argon2 would). */
function counted(right: boolean) {
  const check = vi.fn(async () => {
    await new Promise((resolve) => setImmediate(resolve));
    return right;
  });
  return check;
}

async function refusal(promise: Promise<unknown>): Promise<KeyturnError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(KeyturnError);
    expect((error as KeyturnError).code).toBe('RATE_LIMITED');
    return error as KeyturnError;
  }
  throw new Error('expected RATE_LIMITED');
}

describe('given the default sign-in budgets', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const throttle = () => createSignInThrottle(defaultRateLimits, memoryLimiters);

  it('checks at most 5 passwords of 40 concurrent wrong guesses from one address, and says when to retry', async () => {
    const t = throttle();
    const check = counted(false);
    const results = await Promise.allSettled(Array.from({ length: 40 }, () => t.attempt(ben(), check)));
    expect(check).toHaveBeenCalledTimes(5);
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r).reason as KeyturnError);
    expect(refused).toHaveLength(35);
    // Refused while the 5 checks were still running: the wait is the delay they are about to start.
    for (const error of refused) {
      expect(error.code).toBe('RATE_LIMITED');
      expect(error.retryAfterSeconds).toBe(60);
    }
    expect(results.filter((r) => r.status === 'fulfilled').map((r) => (r).value)).toEqual(
      Array(5).fill(false),
    );
  });

  it("lets the owner sign in from another address while someone else's guesses are blocked", async () => {
    const t = throttle();
    for (let i = 0; i < 5; i++) await t.attempt(ben('203.0.113.66'), counted(false));
    await refusal(t.attempt(ben('203.0.113.66'), counted(true)));
    await expect(t.attempt(ben('198.51.100.7'), counted(true))).resolves.toBe(true);
  });

  it('blocks for 1 minute after 5 failures, then doubles the delay each round up to 15 minutes', async () => {
    const t = throttle();
    const waits: number[] = [];
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 5; i++) await t.attempt(ben(), counted(false));
      const error = await refusal(t.attempt(ben(), counted(true)));
      waits.push(error.retryAfterSeconds!);
      vi.advanceTimersByTime(error.retryAfterSeconds! * 1000);
    }
    expect(waits).toEqual([60, 120, 240, 480, 900, 900]);
  });

  it('forgets the failures once the right password is given', async () => {
    const t = throttle();
    for (let i = 0; i < 4; i++) await t.attempt(ben(), counted(false));
    await expect(t.attempt(ben(), counted(true))).resolves.toBe(true);
    const check = counted(false);
    for (let i = 0; i < 5; i++) await t.attempt(ben(), check);
    expect(check).toHaveBeenCalledTimes(5);
  });

  it('refuses an address after 100 failures in an hour across login names (password spraying), but not others', async () => {
    const t = throttle();
    for (let i = 0; i < 100; i++) await t.attempt({ loginName: `${100 + i}@acme`, clientAddress: '203.0.113.9', credentialVersion: 0 }, counted(false));
    const error = await refusal(t.attempt({ loginName: '999@acme', clientAddress: '203.0.113.9', credentialVersion: 0 }, counted(true)));
    expect(error.retryAfterSeconds).toBeGreaterThan(3000);
    await expect(t.attempt(ben(), counted(true))).resolves.toBe(true);
    vi.advanceTimersByTime(3_600_000);
    await expect(t.attempt({ loginName: '999@acme', clientAddress: '203.0.113.9', credentialVersion: 0 }, counted(true))).resolves.toBe(true);
  });

  it('closes a login name after 100 failures a day from any addresses, until a password reset', async () => {
    const t = throttle();
    for (let a = 0; a < 20; a++) for (let i = 0; i < 5; i++) await t.attempt(ben(`10.0.0.${a}`), counted(false));
    const error = await refusal(t.attempt(ben('198.51.100.7'), counted(true)));
    expect(error.message).toMatch(/Reset your password/);
    // A reset gives the account a new credential version: a fresh budget, nothing else to clear.
    await expect(t.attempt(ben('198.51.100.7', 2), counted(true))).resolves.toBe(true);
  });
});
