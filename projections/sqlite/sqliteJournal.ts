import Database from 'better-sqlite3';

/**
 * After an erasure: copies every page of each file's WAL into the database and truncates the WAL to
 * nothing, so the pages that held the person's data before it was overwritten (secure_delete) are
 * not left behind in the `-wal` file. A connection of its own, opened for this and closed again.
 *
 * Returns the files whose WAL could not be truncated now: a reader kept it busy past the busy
 * timeout. Their old pages go when the WAL is next restarted or the last connection closes.
 */
export async function truncateSqliteJournals(paths: readonly string[]): Promise<string[]> {
  const busy: string[] = [];
  for (const path of new Set(paths)) {
    const db = new Database(path, { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 10000');
      const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      if (result?.busy) busy.push(path);
    } finally {
      db.close();
    }
  }
  return busy;
}
