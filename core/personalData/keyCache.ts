export interface KeyCacheOptions {
  /** accounts kept, least recently used dropped first (default 10,000: 320 KiB of keys) */
  max?: number;
  /**
   * how long a key is trusted without asking the store again (default 5 min): bounds how long
   * another process that has not seen an erasure yet can go on using the erased key
   */
  ttlMs?: number;
  now?: () => number;
}

/** Data keys (or `null`: erased) by account id, kept in this process for a while. */
export function createKeyCache(options: KeyCacheOptions = {}) {
  const { max = 10_000, ttlMs = 300_000, now = Date.now } = options;
  const entries = new Map<string, { key: Buffer | null; until: number }>();
  return {
    get(accountId: string): Buffer | null | undefined {
      const entry = entries.get(accountId);
      if (entry === undefined) return undefined;
      entries.delete(accountId);
      if (entry.until <= now()) return undefined;
      entries.set(accountId, entry); // most recently used goes last
      return entry.key;
    },
    set(accountId: string, key: Buffer | null) {
      entries.delete(accountId);
      entries.set(accountId, { key, until: now() + ttlMs });
      while (entries.size > max) entries.delete(entries.keys().next().value!);
    },
    forget(accountId: string) {
      entries.delete(accountId);
    },
  };
}

export type KeyCache = ReturnType<typeof createKeyCache>;
