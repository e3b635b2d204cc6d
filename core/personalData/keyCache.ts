import { LRUCache } from 'lru-cache';

export interface KeyCacheOptions {
  /**
   * accounts kept, least recently used dropped first (default 100,000: a few MiB). A rebuild reads
   * every account's events in log order, and each account missing here costs a lookup and an unwrap.
   */
  max?: number;
  /**
   * how long a key is trusted without asking the store again (default 5 min): bounds how long
   * another process that has not seen an erasure yet can go on using the erased key
   */
  ttlMs?: number;
  now?: () => number;
}

/**
 * Data keys (or `null`: erased) by account id, kept in this process for a while. lru-cache rather
 * than a Map in insertion order: evicting a Map's oldest entry walks the holes earlier deletions left,
 * which made a rebuild over more accounts than `max` spend most of its time here.
 */
export function createKeyCache(options: KeyCacheOptions = {}) {
  const { max = 100_000, ttlMs = 300_000, now = Date.now } = options;
  // lru-cache for the order only; expiry is checked here, on this clock (an erasure mark is `key: null`)
  const entries = new LRUCache<string, { key: Buffer | null; until: number }>({ max: Math.max(1, max) });
  return {
    get(accountId: string): Buffer | null | undefined {
      const entry = entries.get(accountId);
      if (entry === undefined) return undefined;
      if (entry.until > now()) return entry.key;
      entries.delete(accountId);
      return undefined;
    },
    set(accountId: string, key: Buffer | null) {
      if (max > 0) entries.set(accountId, { key, until: now() + ttlMs });
    },
    forget(accountId: string) {
      entries.delete(accountId);
    },
  };
}

export type KeyCache = ReturnType<typeof createKeyCache>;
