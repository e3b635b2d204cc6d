import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';

/**
 * Makes a SQLite database file readable by its owner only (0600) before SQLite opens it. The files
 * hold every account's history, sessions and email addresses. SQLite creates the `-wal` and `-shm`
 * files with the mode of the database file, so they follow; files left by an earlier version with a
 * wider mode are narrowed too. In-memory databases have no file.
 */
export function ownerOnlyFile(path: string): void {
  if (path === ':memory:' || path === '' || path.startsWith('file:')) return;
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}
