import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { NewEvent } from './eventStore.js';
import { createSqliteEventStore } from './sqliteEventStore.js';

interface Row {
  position: number;
  id: string;
  stream: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
}

/** One stored event as the copy sees it: the stored shape (no upcasting), its stream and position. */
export interface StoredEvent extends NewEvent {
  streamName: string;
}

export interface SqliteEventCopyOptions {
  from: string;
  /** a file that does not exist yet */
  to: string;
  /** may change each event's `data` only; ids, streams, revisions, positions and metadata are kept */
  transform: (events: StoredEvent[]) => Promise<StoredEvent[]>;
  batchSize?: number;
}

/**
 * Copies a SQLite event store into a new file, event by event in position order, letting `transform`
 * rewrite each event's data on the way (`npm run history:encrypt`). Everything else is kept as
 * stored — positions too, so checkpoints and read models stay valid for the copy. The source is only
 * read; the copy is written in one transaction per batch.
 */
export async function copySqliteEvents(options: SqliteEventCopyOptions): Promise<{ events: number }> {
  if (existsSync(options.to)) throw new Error(`${options.to} exists already: the copy goes into a new file`);
  await createSqliteEventStore({ path: options.to }).close(); // the schema, exactly as the store makes it
  const source = new Database(options.from, { readonly: true, fileMustExist: true });
  const target = new Database(options.to);
  target.pragma('journal_mode = WAL');
  target.pragma('synchronous = FULL');
  try {
    const read = source.prepare<[number, number], Row>(
      'SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?',
    );
    const insert = target.prepare(
      'INSERT INTO events (position, id, stream, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const write = target.transaction((rows: Row[], events: StoredEvent[]) => {
      rows.forEach((row, i) => {
        const event = events[i]!;
        if (event.id !== row.id) throw new Error('the transform must keep every event, in order');
        insert.run(row.position, row.id, row.stream, row.revision, row.type, JSON.stringify(event.data), row.metadata);
      });
    });
    let after = 0;
    let copied = 0;
    for (;;) {
      const rows = read.all(after, options.batchSize ?? 1000);
      if (rows.length === 0) break;
      const stored = rows.map((r) => ({
        id: r.id,
        streamName: r.stream,
        type: r.type,
        data: JSON.parse(r.data),
        metadata: JSON.parse(r.metadata),
      }));
      const events = await options.transform(stored);
      if (events.length !== rows.length) throw new Error('the transform must keep every event, in order');
      write(rows, events);
      copied += rows.length;
      after = rows[rows.length - 1]!.position;
    }
    target.pragma('wal_checkpoint(TRUNCATE)');
    return { events: copied };
  } finally {
    source.close();
    target.close();
  }
}
