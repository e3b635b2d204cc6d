import { describe, expect, it } from 'vitest';
import { backoffMs, parseRetryAfter, RETRY_AFTER_CAP_MS } from './retryDelay.js';

const now = new Date('2026-11-26T09:00:00.000Z');

describe('Retry-After', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('0', now)).toBe(0);
  });

  it('reads an HTTP-date as the time left until then, and a past date as no wait', () => {
    expect(parseRetryAfter('Thu, 26 Nov 2026 09:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 08:59:00 GMT', now)).toBe(0);
  });

  it('answers undefined for an absent or unreadable header, so the backoff applies', () => {
    for (const value of [undefined, null, '', 'soon', '-3', '12 34'])
      expect(parseRetryAfter(value, now)).toBeUndefined();
  });

  it('caps an absurd wait at an hour', () => {
    expect(parseRetryAfter('999999', now)).toBe(RETRY_AFTER_CAP_MS);
    expect(parseRetryAfter('Fri, 01 Jan 2100 00:00:00 GMT', now)).toBe(RETRY_AFTER_CAP_MS);
  });
});

describe('backoff', () => {
  it('doubles per failure, between half and all of the step, up to the maximum', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 1000, 60_000, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 1000, 60_000, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(30, 1000, 60_000, () => 1)).toBe(60_000);
    expect(backoffMs(30, 1000, 60_000, () => 0)).toBe(30_000);
  });
});
