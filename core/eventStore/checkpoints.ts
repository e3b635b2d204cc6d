import Database from 'better-sqlite3';
import type { Position } from './eventStore.js';
import { isStaleLease, StaleLeaseError } from './fencing.js';

/**
 * Where a subscriber (the email reactor) remembers how far it got.
 *
 * Fencing: a checkpoint remembers the highest lease generation that wrote or claimed it. A `store`
 * or `claim` under a lower generation is refused with `StaleLeaseError` and changes nothing, so a
 * paused holder that wakes after another took its lease over cannot move the checkpoint back. A
 * `store` without a generation (tests, tools run with no projector) neither checks nor changes it.
 */
export interface CheckpointStore {
  load(name: string): Promise<Position | undefined>;
  store(name: string, position: Position, generation?: number): Promise<void>;
  /**
   * Raises the fence of `name` to `generation` without moving it: from now on, writes under older
   * generations are refused. A new lease holder claims before it loads, so whatever the previous
   * holder still manages to store lands before the load, or is refused.
   */
  claim(name: string, generation: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The view a lease holder works through: every `store` carries its generation. `onRefused` hears of
 * each refusal (the lease, which stops the work); the caller still gets the error.
 */
export function fencedCheckpoints(
  checkpoints: CheckpointStore,
  generation: number,
  onRefused?: (error: Error) => void,
): CheckpointStore {
  const noticing = <T>(work: Promise<T>) =>
    work.catch((error: unknown) => {
      if (isStaleLease(error)) onRefused?.(error);
      throw error;
    });
  return {
    load: (name) => checkpoints.load(name),
    store: (name, position) => noticing(checkpoints.store(name, position, generation)),
    claim: (name) => noticing(checkpoints.claim(name, generation)),
    close: () => checkpoints.close(),
  };
}

/**
 * One fence row per checkpoint name, beside the checkpoints in the same file; the read model's
 * checkpoints use the same table (`checkpoint_fences`). Raising it is one conditional upsert, the
 * first statement of the transaction that writes the checkpoint: no older generation can slip in
 * between the check and the write, across processes too.
 */
export const CHECKPOINT_FENCES_SQL =
  'CREATE TABLE IF NOT EXISTS checkpoint_fences (name TEXT PRIMARY KEY, generation INTEGER NOT NULL) WITHOUT ROWID';
export const RAISE_FENCE_SQL = `INSERT INTO checkpoint_fences (name, generation) VALUES (?, ?)
  ON CONFLICT (name) DO UPDATE SET generation = excluded.generation
  WHERE checkpoint_fences.generation <= excluded.generation`;

export function createSqliteCheckpointStore(path: string): CheckpointStore {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.exec('CREATE TABLE IF NOT EXISTS subscriber_checkpoints (name TEXT PRIMARY KEY, position TEXT NOT NULL)');
  db.exec(CHECKPOINT_FENCES_SQL);
  const get = db.prepare<[string], { position: string }>('SELECT position FROM subscriber_checkpoints WHERE name = ?');
  const put = db.prepare(
    'INSERT INTO subscriber_checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
  );
  const raise = db.prepare<[string, number]>(RAISE_FENCE_SQL);
  const fenced = db.transaction((name: string, generation: number, position?: Position) => {
    if (raise.run(name, generation).changes === 0) throw new StaleLeaseError('FENCE-s3Kp8', name, generation);
    if (position !== undefined) put.run(name, position);
  });
  return {
    load: async (name) => get.get(name)?.position,
    store: async (name, position, generation) => {
      if (generation === undefined) put.run(name, position);
      else fenced(name, generation, position);
    },
    claim: async (name, generation) => {
      fenced(name, generation);
    },
    close: async () => {
      db.close();
    },
  };
}
