import type { Database } from 'better-sqlite3';
import { projectorName, type VersionRecord } from '../versioned.js';
import { projectionTables } from './schema.js';
import { dropSearchIndex } from './searchIndex.js';

const RECORD = 'read-model';

/** The one `active_version` row; absent means version 1, the version a new file starts on. */
export function createSqliteVersionRecord(db: Database) {
  const read = db.prepare<[string], { active: number; requested: number | null }>(
    'SELECT active, requested FROM active_version WHERE name = ?',
  );
  const write = db.prepare<[string, number, number | null]>(
    `INSERT INTO active_version (name, active, requested) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET active = excluded.active, requested = excluded.requested`,
  );
  return {
    async readRecord(): Promise<VersionRecord> {
      const row = read.get(RECORD);
      if (!row) return { active: 1 };
      return row.requested === null ? { active: row.active } : { active: row.active, requested: row.requested };
    },
    async writeRecord(record: VersionRecord) {
      write.run(RECORD, record.active, record.requested ?? null);
    },
  };
}

export function dropSqliteVersion(db: Database, version: number) {
  const tables = projectionTables(version);
  db.transaction(() => {
    dropSearchIndex(db, tables);
    db.exec(`DROP TABLE IF EXISTS ${tables.users}; DROP TABLE IF EXISTS ${tables.audit};`);
    db.prepare('DELETE FROM checkpoints WHERE name = ?').run(projectorName(version));
  })();
}
