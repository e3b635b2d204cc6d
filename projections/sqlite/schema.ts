import { CHECKPOINT_FENCES_SQL } from '../../core/eventStore/checkpoints.js';

/**
 * Projection tables carry a version in their name: a rebuild creates `users_v2` beside `users_v1`,
 * fills it from the first event under its own checkpoint name, then the code switches over.
 * Sessions are not derived from events (a rebuild must keep them), so their table is not versioned.
 *
 * Every column a query filters or sorts on is a real, indexed column computed by `userKeys.ts`;
 * `doc` / `entry` hold the view as the port returns it.
 */
export const projectionTables = (version: number) => ({
  users: `users_v${version}`,
  audit: `audit_v${version}`,
  /** the name indexes, see `searchIndex.ts` */
  search: `users_v${version}_search`,
  firstWords: `users_v${version}_first_words`,
  searchQueue: `users_v${version}_search_queue`,
});

/**
 * Columns added after a version's table may have been created. Each is NULL for every row written
 * before it existed, which is exactly right for these: no account could be deactivated before then.
 */
export const addedUserColumns = [
  { name: 'deactivated_at', type: 'TEXT' },
  { name: 'reminded', type: 'INTEGER' },
] as const;

/** Indexes on added columns: created once the columns exist (`addMissingColumns`). */
export const addedUserIndexes = (users: string) => `
  CREATE INDEX IF NOT EXISTS ${users}_reminder_due ON ${users} (setup_link_expires_ms)
    WHERE setup_completed_at IS NULL AND deactivated_at IS NULL AND reminded IS NULL;`;

const ofVersion = (sql: string, version: number) =>
  sql.replaceAll('users_v1', `users_v${version}`).replaceAll('audit_v1', `audit_v${version}`);

/** The tables of one projection version; `_v1` is the first, a rebuild creates the next. */
export const projectionSchema = (version: number) => projectionTableSchema(version) + projectionIndexSchema(version);

/**
 * The tables alone, without their secondary indexes: what a rebuild's bulk load fills before it
 * builds the indexes in one pass each (`projectionIndexSchema`), rather than row by row.
 */
export const projectionTableSchema = (version: number) => ofVersion(tablesV1, version);

/**
 * The secondary indexes of one version, without `addedUserIndexes`: those need their columns, which
 * an older table only gains in `addMissingColumns`.
 */
export const projectionIndexSchema = (version: number) => ofVersion(indexesV1, version);

const tablesV1 = `
  CREATE TABLE IF NOT EXISTS users_v1 (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    extension TEXT NOT NULL,
    email_lower TEXT NOT NULL,
    secondary_email_lower TEXT,
    setup_completed_at TEXT,
    setup_link_expires_ms INTEGER,
    last_email_status TEXT,
    last_email_bulk_id TEXT,
    revision INTEGER NOT NULL,
    deactivated_at TEXT,
    reminded INTEGER,
    doc TEXT NOT NULL
  );

  -- seq is the order entries were projected in, which is global event order (batches arrive in
  -- order, redeliveries are ignored by id): positions themselves are opaque and not sortable here.
  CREATE TABLE IF NOT EXISTS audit_v1 (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    position TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    account_id TEXT,
    type TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    occurred_at_ms INTEGER NOT NULL,
    entry TEXT NOT NULL
  );
`;

const indexesV1 = `
  -- Covers every column a user search filters on: a search reads the index alone, in page order, and
  -- touches the table only for the rows of the page it returns.
  CREATE INDEX IF NOT EXISTS users_v1_org_name ON users_v1
    (organization_id, name_lower, id, extension, setup_completed_at, setup_link_expires_ms);
  CREATE INDEX IF NOT EXISTS users_v1_org_extension ON users_v1 (organization_id, extension);
  CREATE INDEX IF NOT EXISTS users_v1_email ON users_v1 (email_lower);
  CREATE INDEX IF NOT EXISTS users_v1_secondary_email ON users_v1 (secondary_email_lower)
    WHERE secondary_email_lower IS NOT NULL;
  CREATE INDEX IF NOT EXISTS users_v1_bulk ON users_v1 (organization_id, last_email_bulk_id)
    WHERE last_email_bulk_id IS NOT NULL;

  CREATE INDEX IF NOT EXISTS audit_v1_org ON audit_v1 (organization_id, seq);
  CREATE INDEX IF NOT EXISTS audit_v1_account ON audit_v1 (account_id, seq);
  CREATE INDEX IF NOT EXISTS audit_v1_type ON audit_v1 (organization_id, type, seq);
  CREATE INDEX IF NOT EXISTS audit_v1_actor ON audit_v1 (actor_id, seq);
  CREATE INDEX IF NOT EXISTS audit_v1_occurred ON audit_v1 (organization_id, occurred_at_ms);
`;

/** Not versioned: sessions and leases are not derived from events; checkpoints (and their fences) are named per version. */
export const sharedSchema = `
  CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    role TEXT NOT NULL,
    credential_version INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    -- added later: older files gain these in sqliteSessions.ts, which fills in ids and indexes them
    id TEXT,
    user_agent TEXT,
    last_seen_at TEXT
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS sessions_account ON sessions (account_id);
  CREATE INDEX IF NOT EXISTS sessions_expires ON sessions (expires_at_ms);

  CREATE TABLE IF NOT EXISTS checkpoints (
    name TEXT PRIMARY KEY,
    position TEXT NOT NULL
  ) WITHOUT ROWID;

  -- generation: the fencing token (see Leases); files from before it gain it in sqliteLeases.ts
  CREATE TABLE IF NOT EXISTS leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_ms INTEGER NOT NULL,
    generation INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;

  -- The highest lease generation that wrote or claimed each checkpoint (of this file's projection
  -- versions and of its subscribers, see core/eventStore/checkpoints.ts): older ones are refused.
  ${CHECKPOINT_FENCES_SQL};

  -- One row: the version reads use, and the one a rebuild asked the projector to switch to.
  CREATE TABLE IF NOT EXISTS active_version (
    name TEXT PRIMARY KEY,
    active INTEGER NOT NULL,
    requested INTEGER
  ) WITHOUT ROWID;
`;
