import type { Database } from 'better-sqlite3';
import type { Leases } from '../readModel.js';

/** One row per lease; the upsert's WHERE makes taking it a single atomic statement. */
export function createSqliteLeases(db: Database): Leases {
  const take = db.prepare<{ name: string; holder: string; expiresMs: number; now: number }>(`
    INSERT INTO leases (name, holder, expires_ms) VALUES (@name, @holder, @expiresMs)
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_ms = excluded.expires_ms
    WHERE leases.holder = excluded.holder OR leases.expires_ms <= @now`);
  const release = db.prepare<[string, string]>('DELETE FROM leases WHERE name = ? AND holder = ?');
  return {
    async acquire(name, holder, ttlMs, now) {
      const at = now.getTime();
      return take.run({ name, holder, expiresMs: at + ttlMs, now: at }).changes === 1;
    },
    async release(name, holder) {
      release.run(name, holder);
    },
  };
}
