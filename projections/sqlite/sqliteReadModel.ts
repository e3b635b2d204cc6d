import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { RecordedEvent } from '../../core/eventStore/eventStore.js';
import { RAISE_FENCE_SQL } from '../../core/eventStore/checkpoints.js';
import { StaleLeaseError } from '../../core/eventStore/fencing.js';
import { ownerOnlyFile } from '../../core/eventStore/ownerOnlyFile.js';
import { clampFirst, decodeCursor, encodeCursor, pageOf, totalIfComplete } from '../paging.js';
import type { AccountStatus, AuditEntry, BulkProgress, ProjectionStore, ReadModel, UserView } from '../readModel.js';
import { statusOf } from '../readModel.js';
import { emailKey, nameKey } from '../users/userKeys.js';
import { projectorName, versionedReadModel } from '../versioned.js';
import { COUNT_CAP } from '../users/userSearch.js';
import { auditFilter, statusSql, type Filter } from './filters.js';
import { addedUserColumns, addedUserIndexes, projectionSchema, projectionTables, sharedSchema } from './schema.js';
import { drainSearchQueue, ensureSearchIndex } from './searchIndex.js';
import { sqliteErasure } from './sqliteErasure.js';
import { createSqliteLeases } from './sqliteLeases.js';
import { createSqliteSessions } from './sqliteSessions.js';
import { createSqliteVersionRecord, dropSqliteVersion } from './sqliteVersions.js';
import { projectBatch, sqliteWrites } from './sqliteWrites.js';
import { sqliteUserSearch, type Keyset, type SearchSteps } from './userSearch.js';

export interface SqliteReadModelOptions {
  /** file path, or `:memory:` for fast tests */
  path: string;
  /** see `versionedReadModel` */
  versionRefreshMs?: number;
  /** where a search changes its way of finding a page (see `SEARCH_STEPS`); tests make them small */
  searchSteps?: SearchSteps;
}

const userCursor = (user: UserView) => encodeCursor([nameKey(user.name), user.id]);
const parseDoc = (row: { doc: string }) => JSON.parse(row.doc) as UserView;
const parseEntry = (row: { entry: string }) => JSON.parse(row.entry) as AuditEntry;

/** Embedded read model on one SQLite file (WAL), beside the SQLite event store or on its own. */
export function createSqliteReadModel(options: SqliteReadModelOptions): ReadModel {
  ownerOnlyFile(options.path);
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  // Derived data: a power cut may lose the newest batches, but it loses their checkpoint with them.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 10000');
  // Erasure: what is deleted or overwritten (a person's row, audit text) is zeroed in the file, not left in free space.
  db.pragma('secure_delete = ON');
  // Searches scan an organization's index entries; keep them in memory rather than re-reading pages.
  db.pragma('cache_size = -65536');
  db.exec(sharedSchema);

  const opened = new Map<number, ProjectionStore>();
  return versionedReadModel({
    ...createSqliteVersionRecord(db),
    async open(version) {
      let store = opened.get(version);
      if (!store) opened.set(version, (store = openVersion(db, version, options.searchSteps)));
      return store;
    },
    async drop(version) {
      opened.delete(version);
      dropSqliteVersion(db, version);
    },
    sessions: createSqliteSessions(db),
    leases: createSqliteLeases(db),
    async close() {
      db.close();
    },
    versionRefreshMs: options.versionRefreshMs,
  });
}

/** Brings a version's users table created by an older build up to today's columns. */
function addMissingColumns(db: Database.Database, users: string) {
  const present = new Set(
    db
      .prepare<[], { name: string }>(`PRAGMA table_info(${users})`)
      .all()
      .map((c) => c.name),
  );
  for (const column of addedUserColumns) {
    if (!present.has(column.name)) db.exec(`ALTER TABLE ${users} ADD COLUMN ${column.name} ${column.type}`);
  }
  db.exec(addedUserIndexes(users));
}

/** The tables of one projection version, created if missing, and every statement on them. */
function openVersion(db: Database.Database, version: number, searchSteps?: SearchSteps): ProjectionStore {
  db.exec(projectionSchema(version));
  const tables = projectionTables(version);
  const { users, audit } = tables;
  addMissingColumns(db, users);
  ensureSearchIndex(db, tables);
  const name = projectorName(version);
  const userInOrg = db.prepare<[string, string], { doc: string }>(
    `SELECT doc FROM ${users} WHERE organization_id = ? AND id = ?`,
  );
  // Looked up id by id: left to itself the planner may prefer scanning the organization's index.
  const usersInOrg = db.prepare<[string, string], { doc: string }>(
    `SELECT u.doc FROM json_each(?) AS ids CROSS JOIN ${users} u ON u.id = ids.value WHERE u.organization_id = ?`,
  );
  const ownersOfEmail = db.prepare<{ email: string }, { doc: string }>(
    `SELECT doc FROM ${users} WHERE email_lower = @email OR secondary_email_lower = @email ORDER BY organization_id, id`,
  );
  const dueForReminder = db.prepare<
    { now: number; until: number; limit: number },
    { id: string; organizationId: string }
  >(
    `SELECT id, organization_id AS organizationId FROM ${users} INDEXED BY ${users}_reminder_due
     WHERE setup_completed_at IS NULL AND deactivated_at IS NULL AND reminded IS NULL
       AND setup_link_expires_ms > @now AND setup_link_expires_ms <= @until
     ORDER BY setup_link_expires_ms LIMIT @limit`,
  );
  const statusCounts = db.prepare<{ org: string; now: number }, { status: AccountStatus; n: number }>(
    `SELECT ${statusSql} AS status, count(*) AS n FROM ${users} WHERE organization_id = @org GROUP BY 1`,
  );
  // Rare (a role change or deactivation of a manager): the organization's rows are read, not indexed.
  const withRole = db.prepare<[string, string], { id: string }>(
    `SELECT id FROM ${users} WHERE organization_id = ? AND json_extract(doc, '$.role') = ?`,
  );
  const bulkCounts = db.prepare<[string, string], { status: string; n: number }>(
    `SELECT last_email_status AS status, count(*) AS n FROM ${users}
     WHERE organization_id = ? AND last_email_bulk_id = ? GROUP BY last_email_status`,
  );
  const writes = sqliteWrites(db, tables);
  const applyErasures = sqliteErasure(db, tables);
  const readCheckpoint = db.prepare<[string], { position: string }>('SELECT position FROM checkpoints WHERE name = ?');
  const saveCheckpoint = db.prepare<[string, string]>(
    'INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
  );
  const raiseFence = db.prepare<[string, number]>(RAISE_FENCE_SQL);
  /** First in the batch's transaction: a refusal rolls the whole batch back with it. */
  const fence = (generation: number | undefined) => {
    if (generation !== undefined && raiseFence.run(name, generation).changes === 0) {
      throw new StaleLeaseError('FENCE-q9Lm4', name, generation);
    }
  };
  // Query text varies only with the set of filters given, so each shape is prepared once and reused.
  const shapes = new Map<string, Statement>();
  const prepared = (sql: string) => {
    let statement = shapes.get(sql);
    if (!statement) shapes.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
  const all = <R>(sql: string, params: Filter['params']) => prepared(sql).all(params) as R[];
  const auditTotal = (filter: Filter, fetched: number, first: number, after: string | undefined) =>
    totalIfComplete(fetched, first, after) ??
    (prepared(`SELECT count(*) AS n FROM ${audit} WHERE ${filter.where}`).get(filter.params) as { n: number }).n;
  const userSearch = sqliteUserSearch(prepared, tables, searchSteps);
  const docsOf = (organizationId: string, ids: string[]) => {
    const found = new Map(
      usersInOrg
        .all(JSON.stringify(ids), organizationId)
        .map(parseDoc)
        .map((u) => [u.id, u]),
    );
    return [...new Set(ids)].flatMap((id) => found.get(id) ?? []);
  };

  const applyBatch = db.transaction((events: RecordedEvent[], generation: number | undefined) => {
    fence(generation);
    writes.forget();
    const { users: docs, entries } = projectBatch(events, writes.load);
    writes.writeUsers(docs);
    drainSearchQueue(db, tables);
    writes.writeEntries(entries);
    applyErasures(events);
    const last = events[events.length - 1];
    if (last) saveCheckpoint.run(name, last.position);
  });

  return {
    async apply(events, generation) {
      applyBatch(events, generation);
    },
    async checkpoint() {
      return readCheckpoint.get(name)?.position;
    },
    async claim(generation) {
      fence(generation);
    },
    users: {
      async get(organizationId, id) {
        const row = userInOrg.get(organizationId, id);
        return row ? parseDoc(row) : undefined;
      },
      async getMany(organizationId, ids) {
        return docsOf(organizationId, ids);
      },
      async search(query) {
        const first = clampFirst(query.first);
        let keyset: Keyset | undefined;
        if (query.after !== undefined) {
          const [afterName, afterId] = decodeCursor(query.after, ['string', 'string'] as const);
          keyset = { afterName, afterId };
        }
        // The page is chosen on the indexes first; only its rows are then read from the table.
        const found = userSearch.page(query, first + 1, keyset);
        const total = totalIfComplete(found.ids.length, first, query.after) ?? found.count();
        const page = pageOf(docsOf(query.organizationId, found.ids), first, Math.min(total, COUNT_CAP), userCursor);
        return { ...page, totalCountIsExact: total <= COUNT_CAP };
      },
      async matchingIds(query, limit) {
        return limit > 0 ? userSearch.ids(query, limit) : [];
      },
      async dueForReminder(now, withinMs, limit) {
        return dueForReminder.all({ now: now.getTime(), until: now.getTime() + withinMs, limit });
      },
      async statusCounts(organizationId, now) {
        const counts = { NOT_INVITED: 0, INVITED: 0, INVITE_EXPIRED: 0, ACTIVE: 0, DEACTIVATED: 0 };
        for (const row of statusCounts.all({ org: organizationId, now: now.getTime() })) counts[row.status] = row.n;
        return counts;
      },
      async idsWithRole(organizationId, role) {
        return withRole.all(organizationId, role).map((row) => row.id);
      },
      async ownersOfEmail(email, now) {
        return ownersOfEmail.all({ email: emailKey(email) }).map((row) => {
          const user = parseDoc(row);
          return {
            accountId: user.id,
            organizationId: user.organizationId,
            loginName: user.loginName,
            status: statusOf(user, now),
          };
        });
      },
      async bulkProgress(organizationId, bulkId) {
        // Counts each user's *last* email: a user sent something newer since the bulk action no
        // longer counts towards it. Good enough for a progress bar watched while the bulk runs.
        const progress: BulkProgress = { total: 0, pending: 0, delivered: 0, failed: 0 };
        for (const { status, n } of bulkCounts.all(organizationId, bulkId)) {
          progress.total += n;
          if (status === 'PENDING') progress.pending += n;
          else if (status === 'DELIVERED') progress.delivered += n;
          else if (status === 'FAILED') progress.failed += n;
        }
        return progress;
      },
    },
    audit: {
      async list(query) {
        const first = clampFirst(query.first);
        const filter = auditFilter(query);
        const params: Filter['params'] = { ...filter.params, limit: first + 1 };
        let keyset = '';
        if (query.after !== undefined) {
          [params.afterSeq] = decodeCursor(query.after, ['number'] as const);
          keyset = ' AND seq < @afterSeq';
        }
        const rows = all<{ seq: number; entry: string }>(
          `SELECT seq, entry FROM ${audit} WHERE ${filter.where}${keyset} ORDER BY seq DESC LIMIT @limit`,
          params,
        );
        const totalCount = auditTotal(filter, rows.length, first, query.after);
        const page = pageOf(rows, first, totalCount, (row) => encodeCursor([row.seq]));
        return { ...page, edges: page.edges.map(({ cursor, node }) => ({ cursor, node: parseEntry(node) })) };
      },
    },
  };
}
