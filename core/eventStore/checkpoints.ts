import Database from 'better-sqlite3';
import type { Position } from './eventStore.js';

/** Where a subscriber (the email reactor) remembers how far it got. */
export interface CheckpointStore {
  load(name: string): Promise<Position | undefined>;
  store(name: string, position: Position): Promise<void>;
  close(): Promise<void>;
}

export function createSqliteCheckpointStore(path: string): CheckpointStore {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.exec('CREATE TABLE IF NOT EXISTS subscriber_checkpoints (name TEXT PRIMARY KEY, position TEXT NOT NULL)');
  const get = db.prepare<[string], { position: string }>('SELECT position FROM subscriber_checkpoints WHERE name = ?');
  const put = db.prepare(
    'INSERT INTO subscriber_checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
  );
  return {
    load: async (name) => get.get(name)?.position,
    store: async (name, position) => {
      put.run(name, position);
    },
    close: async () => {
      db.close();
    },
  };
}
