import type { Database } from 'better-sqlite3';
import type { LeaseState, Leases } from '../readModel.js';

/**
 * Files from before the fencing generation gain its column. Under the write lock, so two processes
 * opening an old file at once do not both add it. Rows of then read as generation 0: whoever takes
 * them over next gets 1.
 */
function addGenerationColumn(db: Database) {
  db.transaction(() => {
    const columns = db.prepare<[], { name: string }>('PRAGMA table_info(leases)').all();
    if (!columns.some((c) => c.name === 'generation')) {
      db.exec('ALTER TABLE leases ADD COLUMN generation INTEGER NOT NULL DEFAULT 0');
    }
  }).immediate();
}

/**
 * One row per lease; the upsert's WHERE makes taking it a single atomic statement, and the same
 * statement answers the generation: one up when the lease changes hands (another holder, or the
 * same one after it lapsed or was released), unchanged on a renewal. Releasing keeps the row (and
 * its generation), lapsed: generations never go back.
 */
export function createSqliteLeases(db: Database): Leases {
  addGenerationColumn(db);
  const take = db.prepare<{ name: string; holder: string; expiresMs: number; now: number }, { generation: number }>(`
    INSERT INTO leases (name, holder, expires_ms, generation) VALUES (@name, @holder, @expiresMs, 1)
    ON CONFLICT (name) DO UPDATE SET
      generation = CASE WHEN leases.holder = excluded.holder AND leases.expires_ms > @now
        THEN leases.generation ELSE leases.generation + 1 END,
      holder = excluded.holder,
      expires_ms = excluded.expires_ms
    WHERE leases.holder = excluded.holder OR leases.expires_ms <= @now
    RETURNING generation`);
  const release = db.prepare<[string, string]>('UPDATE leases SET expires_ms = 0 WHERE name = ? AND holder = ?');
  const read = db.prepare<[string], LeaseState>(
    'SELECT holder, generation, expires_ms AS expiresMs FROM leases WHERE name = ?',
  );
  return {
    async acquire(name, holder, ttlMs, now) {
      const at = now.getTime();
      return take.get({ name, holder, expiresMs: at + ttlMs, now: at })?.generation;
    },
    async release(name, holder) {
      release.run(name, holder);
    },
    async current(name) {
      return read.get(name);
    },
  };
}
