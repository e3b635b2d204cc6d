import Database from 'better-sqlite3';
import type { RecordedEvent } from '../../core/eventStore/eventStore.js';
import { auditLookupIds } from '../audit/auditProjection.js';
import type { BulkLoad } from '../rebuild.js';
import { userIdOf } from '../users/userProjection.js';
import { projectorName } from '../versioned.js';
import {
  addedUserIndexes,
  projectionIndexSchema,
  projectionTableSchema,
  projectionTables,
  sharedSchema,
} from './schema.js';
import { ensureSearchIndex } from './searchIndex.js';
import { sqliteErasure } from './sqliteErasure.js';
import { projectBatch, sqliteWrites } from './sqliteWrites.js';

export interface SqliteBulkLoadOptions {
  /** the read model's file: the version's tables are made beside the active ones */
  path: string;
  /** pages committed between two WAL checkpoints (default 8, some 40,000 events) */
  checkpointEvery?: number;
}

/**
 * A rebuild's way into a fresh SQLite projection version (see `BulkLoad` in `rebuild.ts`): the
 * tables without their secondary indexes, filled page by page on a connection of its own, then
 * every index and the name search index built in one pass each, then the erasures of the whole
 * log applied to the audit entries (`scrubAuditEntry` is idempotent on the entries that follow an
 * erasure, so once at the end gives what the projector gives batch by batch).
 *
 * The connection does not wait for the disk (`synchronous = OFF`). The file stays in WAL mode —
 * it is shared with the API's readers and the data keys, and leaving WAL needs it to oneself — and
 * in WAL mode a commit never syncs anyway; what OFF would also skip are the syncs around a
 * checkpoint, the one moment pages of *other* tables (sessions, data keys) reach the main file.
 * So this connection never checkpoints on its own (`wal_autocheckpoint = 0`) and turns its syncs
 * back on for the checkpoints it makes every few pages: a power cut can lose or tear the WAL's
 * tail only, which SQLite discards on recovery by its checksums. Whatever is lost is this version's
 * newest pages; a crashed rebuild leaves a version never made active, which the next rebuild drops
 * and fills again from the first event.
 */
export function createSqliteBulkLoad(options: SqliteBulkLoadOptions): (version: number) => BulkLoad {
  return (version) => openBulkLoad(options, version);
}

function openBulkLoad(options: SqliteBulkLoadOptions, version: number): BulkLoad {
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('synchronous = OFF');
  db.pragma('wal_autocheckpoint = 0');
  // An upsert overwrites a person's older document: zeroed, as on the live connection (erasure).
  db.pragma('secure_delete = ON');
  // The users table is read by id for every page; index builds sort in memory.
  db.pragma('cache_size = -262144');
  db.pragma('temp_store = MEMORY');
  const tables = projectionTables(version);
  db.exec(sharedSchema + projectionTableSchema(version));
  const writes = sqliteWrites(db, tables);
  const saveCheckpoint = db.prepare<[string, string]>(
    'INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
  );
  const erasures: RecordedEvent[] = [];
  let pages = 0;

  const checkpoint = () => {
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_checkpoint(PASSIVE)');
    db.pragma('synchronous = OFF');
  };

  const applyPage = db.transaction((events: RecordedEvent[]) => {
    // The page's users, read in one statement rather than one lookup each.
    writes.forget();
    const ids = new Set(auditLookupIds(events));
    for (const event of events) {
      const id = userIdOf(event);
      if (id !== undefined) ids.add(id);
    }
    const found = writes.loadMany([...ids]);
    const { users, entries } = projectBatch(events, (id) => found.get(id) ?? null);
    writes.writeUsers(users);
    writes.writeEntries(entries);
    erasures.push(...events.filter((e) => e.type === 'AccountErased'));
    const last = events[events.length - 1];
    if (last) saveCheckpoint.run(projectorName(version), last.position);
  });

  return {
    async apply(events) {
      applyPage(events);
      if (++pages % (options.checkpointEvery ?? 8) === 0) checkpoint();
    },
    async finish() {
      db.transaction(() => {
        db.exec(projectionIndexSchema(version) + addedUserIndexes(tables.users));
      })();
      ensureSearchIndex(db, tables);
      db.transaction(() => sqliteErasure(db, tables)(erasures))();
      checkpoint();
    },
    async close() {
      db.close();
    },
  };
}
