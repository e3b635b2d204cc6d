import { describe, expect, it } from 'vitest';
import { createKeyCache } from './keyCache.js';

const key = (n: number) => Buffer.alloc(32, n);

describe('given a key cache', () => {
  it('answers a key until it expires, then asks again', () => {
    let now = 0;
    const cache = createKeyCache({ ttlMs: 1000, now: () => now });
    cache.set('a', key(1));
    cache.set('b', null);
    now = 999;
    expect([cache.get('a'), cache.get('b')]).toEqual([key(1), null]);
    now = 1000;
    expect([cache.get('a'), cache.get('b')]).toEqual([undefined, undefined]);
  });

  it('drops the least recently used first, and forgets on request', () => {
    const cache = createKeyCache({ max: 2 });
    cache.set('a', key(1));
    cache.set('b', key(2));
    cache.get('a');
    cache.set('c', key(3));
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([key(1), undefined, key(3)]);
    cache.forget('a');
    expect(cache.get('a')).toBeUndefined();
  });
});
