import { describe, expect, it } from 'vitest';
import { boundedCache } from './boundedCache.js';

describe('given a cache of two entries that live 10 ms', () => {
  it('forgets the oldest written when a third comes', () => {
    const cache = boundedCache<number>({ maxEntries: 2, ttlMs: 10 });
    cache.set('a', 1, 0);
    cache.set('b', 2, 0);
    cache.set('c', 3, 0);
    expect([cache.get('a', 0), cache.get('b', 0), cache.get('c', 0), cache.size]).toEqual([undefined, 2, 3, 2]);
  });

  it('never returns an entry 10 ms old, and a replaced one keeps its age', () => {
    const cache = boundedCache<number>({ maxEntries: 2, ttlMs: 10 });
    cache.set('a', 1, 0);
    cache.replace('a', 2);
    expect(cache.get('a', 9)).toBe(2);
    expect(cache.get('a', 10)).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
