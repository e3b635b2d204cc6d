/**
 * A map that forgets: at most `maxEntries`, the oldest written first out (a `Map` keeps insertion
 * order), and an entry `ttlMs` old or older is never returned. Small and in one process: what it
 * holds must be cheap to lose and safe to serve for `ttlMs`.
 */
export interface BoundedCache<V> {
  get(key: string, nowMs: number): V | undefined;
  set(key: string, value: V, nowMs: number): void;
  /** a new value for a present entry, which keeps its age */
  replace(key: string, value: V): void;
  delete(key: string): void;
  clear(): void;
  readonly size: number;
}

export function boundedCache<V>(options: { maxEntries: number; ttlMs?: number }): BoundedCache<V> {
  const ttlMs = options.ttlMs ?? Infinity;
  const entries = new Map<string, { value: V; storedAt: number }>();
  return {
    get(key, nowMs) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (nowMs - entry.storedAt < ttlMs && nowMs >= entry.storedAt) return entry.value;
      entries.delete(key);
      return undefined;
    },
    set(key, value, nowMs) {
      entries.delete(key);
      if (entries.size >= options.maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(key, { value, storedAt: nowMs });
    },
    replace(key, value) {
      const entry = entries.get(key);
      if (entry) entry.value = value;
    },
    delete(key) {
      entries.delete(key);
    },
    clear() {
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
