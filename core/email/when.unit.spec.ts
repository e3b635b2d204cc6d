import { describe, expect, it } from 'vitest';
import { formatUtc, timeUntil } from './when.js';

const from = new Date('2026-03-03T23:50:00Z');
const plus = (minutes: number) => new Date(from.getTime() + minutes * 60_000);

describe('given a send time', () => {
  it('spells the remaining time in hours and minutes', () => {
    expect(timeUntil(plus(24 * 60), from)).toBe('in 24 hours');
    expect(timeUntil(plus(60), from)).toBe('in 1 hour');
    expect(timeUntil(plus(90), from)).toBe('in 1 hour 30 minutes');
    expect(timeUntil(plus(1), from)).toBe('in 1 minute');
  });
  it('says a link is already expired rather than "in 0 minutes"', () => {
    expect(timeUntil(plus(0), from)).toBe('already expired');
    expect(timeUntil(plus(-5), from)).toBe('already expired');
  });
  it('writes dates in UTC whatever the server time zone', () => {
    expect(formatUtc(plus(15))).toBe('4 March 2026, 00:05 UTC');
  });
});
