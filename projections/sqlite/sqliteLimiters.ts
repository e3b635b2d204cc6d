import Database from 'better-sqlite3';
import { RateLimiterSQLite, type IRateLimiterOptions, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ownerOnlyFile } from '../../core/eventStore/ownerOnlyFile.js';

/**
 * Rate-limit counters in one SQLite file, so that several processes on one machine (the all-in-one
 * service, `npm run api` instances) spend one budget: a guess refused by one is refused by all.
 * Its own file: counters are written on every failed sign-in and must not queue behind the projector.
 */
export function createSqliteLimiters(path: string) {
  ownerOnlyFile(path);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // Counters, written on every request budget and failed sign-in: losing the last ones in a power cut
  // costs an attacker's few guesses, not the users' data; waiting for the disk would cost every request.
  db.pragma('synchronous = OFF');
  db.pragma('busy_timeout = 10000');
  const factory = (options: IRateLimiterOptions): RateLimiterAbstract => {
    const tableName = `limits_${(options.keyPrefix ?? 'default').replace(/[^A-Za-z0-9_]/g, '_')}`;
    // Created here, synchronously: the library creates it in the background and refuses until then.
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${tableName} (key TEXT PRIMARY KEY, points INTEGER NOT NULL DEFAULT 0, expire INTEGER)`,
    );
    return new RateLimiterSQLite({
      ...options,
      storeClient: db,
      storeType: 'better-sqlite3',
      tableName,
      tableCreated: true,
      clearExpiredByTimeout: true,
    });
  };
  return {
    factory,
    close: async () => void db.close(),
  };
}
