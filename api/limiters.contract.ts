import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LimiterFactory } from './rateLimits.js';
import { createRateLimits } from './rateLimits.js';

/**
 * Two handles on one counter store stand for two processes: the budget they spend is one. Run against
 * every shared store (SQLite file, MongoDB); the in-memory store is per process by design.
 */
export function testSharedLimiters(
  name: string,
  open: () => Promise<{ factory: LimiterFactory; close(): Promise<void> }>,
) {
  describe(`shared rate limits: ${name}`, () => {
    it('a budget spent in one process is spent in the other', async () => {
      const [a, b] = [await open(), await open()];
      try {
        const prefix = `t${randomUUID().slice(0, 8)}`;
        const limiterA = a.factory({ keyPrefix: prefix, points: 3, duration: 60 });
        const limiterB = b.factory({ keyPrefix: prefix, points: 3, duration: 60 });
        await limiterA.consume('key', 2);
        await limiterB.consume('key', 1);
        await expect(limiterA.consume('key', 1)).rejects.toMatchObject({ remainingPoints: 0 });
        await expect(limiterB.consume('other', 1)).resolves.toMatchObject({ remainingPoints: 2 });
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('reset emails to one address are capped across processes', async () => {
      const [a, b] = [await open(), await open()];
      try {
        const address = `${randomUUID()}@example.com`;
        const limitsA = createRateLimits({ resetEmailsPerAddressPerHour: 2 }, a.factory);
        const limitsB = createRateLimits({ resetEmailsPerAddressPerHour: 2 }, b.factory);
        expect(await limitsA.allowEmail('reset', address)).toBe('allowed');
        expect(await limitsB.allowEmail('reset', address)).toBe('allowed');
        expect(await limitsA.allowEmail('reset', address)).toBe('withheld-first');
        expect(await limitsB.allowEmail('reset', address)).toBe('withheld');
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
