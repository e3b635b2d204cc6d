import type { DataKeyStorage, WrappedKey } from '../dataKeys.js';

/** Key storage in a map, counting its lookups: the specs of the event-store decorator use it. */
export function memoryKeyStorage() {
  const rows = new Map<string, WrappedKey>();
  const lookups: string[][] = [];
  const storage: DataKeyStorage = {
    async insertIfAbsent(keys) {
      const existed = keys.filter(({ accountId }) => rows.has(accountId)).map(({ accountId }) => accountId);
      for (const { accountId, wrapped } of keys) if (!rows.has(accountId)) rows.set(accountId, wrapped);
      return existed;
    },
    async find(accountIds) {
      lookups.push([...accountIds]);
      return new Map(accountIds.flatMap((id) => (rows.has(id) ? [[id, rows.get(id)!] as const] : [])));
    },
    async erase(accountId) {
      const had = rows.get(accountId) != null;
      rows.set(accountId, null);
      return had;
    },
    async close() {},
  };
  return { storage, rows, lookups };
}
