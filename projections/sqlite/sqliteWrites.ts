import type { Database, Statement } from 'better-sqlite3';
import type { RecordedEvent } from '../../core/eventStore/eventStore.js';
import { toAuditEntry } from '../audit/auditProjection.js';
import type { AuditEntry, UserView } from '../readModel.js';
import { emailKey, expiryKey, nameKey } from '../users/userKeys.js';
import { evolveUser, userIdOf } from '../users/userProjection.js';

type Params = Record<string, string | number | null>;

/** Each key column's parameter name and column. */
const KEY_COLUMNS = {
  org: 'organization_id',
  nameLower: 'name_lower',
  extension: 'extension',
  email: 'email_lower',
  secondaryEmail: 'secondary_email_lower',
  completedAt: 'setup_completed_at',
  expiresMs: 'setup_link_expires_ms',
  lastStatus: 'last_email_status',
  bulkId: 'last_email_bulk_id',
  deactivatedAt: 'deactivated_at',
  reminded: 'reminded',
} as const;
type Key = keyof typeof KEY_COLUMNS;
type KeyValues = Record<Key, string | number | null>;
const KEYS = Object.keys(KEY_COLUMNS) as Key[];

/** The columns a query filters or sorts on, computed from the document (see `userKeys.ts`). */
const keyColumns = (doc: UserView): KeyValues => ({
  org: doc.organizationId,
  nameLower: nameKey(doc.name),
  extension: doc.extension,
  email: emailKey(doc.email),
  secondaryEmail: doc.secondaryEmail === undefined ? null : emailKey(doc.secondaryEmail),
  completedAt: doc.setupCompletedAt ?? null,
  expiresMs: expiryKey(doc.setupLinkExpiresAt) ?? null,
  lastStatus: doc.lastEmail?.status ?? null,
  bulkId: doc.lastEmail?.bulkId ?? null,
  deactivatedAt: doc.deactivatedAt ?? null,
  reminded: doc.welcomeReminderSentAt ? 1 : null,
});

const auditRow = (entry: AuditEntry): Params => ({
  id: entry.id,
  position: entry.position,
  org: entry.organizationId,
  accountId: entry.accountId ?? null,
  type: entry.type,
  actorId: entry.actorId,
  occurredMs: Date.parse(entry.occurredAt) || 0,
  entry: JSON.stringify(entry),
});

/**
 * What one batch makes of the users and audit tables, whoever writes it (the projector's `apply`,
 * a rebuild's bulk load): each user evolved in memory over the whole batch and written once, then
 * the audit entries, named after the users as they are at the end of the batch.
 */
export function projectBatch(
  events: RecordedEvent[],
  load: (id: string) => UserView | null,
): { users: UserView[]; entries: AuditEntry[] } {
  const docs = new Map<string, UserView | null>();
  const current = (id: string) => {
    if (!docs.has(id)) docs.set(id, load(id));
    return docs.get(id) ?? null;
  };
  const changed = new Set<string>();
  for (const event of events) {
    const id = userIdOf(event);
    if (id === undefined) continue;
    const before = current(id);
    const after = evolveUser(before, event);
    if (after === before) continue;
    docs.set(id, after);
    changed.add(id);
  }
  const lookup = (id: string) => current(id) ?? undefined;
  const entries = events.flatMap((event) => toAuditEntry(event, lookup) ?? []);
  return { users: [...changed].map((id) => docs.get(id)!), entries };
}

/** The statements that write one version's users and audit rows. */
export function sqliteWrites(db: Database, { users, audit }: { users: string; audit: string }) {
  const columns = ['id', ...KEYS.map((k) => KEY_COLUMNS[k]), 'revision', 'doc'];
  const values = ['@id', ...KEYS.map((k) => `@${k}`), '@revision', '@doc'];
  const insertUser = db.prepare<[Params]>(`INSERT INTO ${users} (${columns.join(', ')}) VALUES (${values.join(', ')})`);
  // A stored user is updated in the columns whose stored value differs only: SQLite rewrites an
  // index's entry whenever a column of it is assigned, changed or not, and most events change one
  // or two. The WHERE repeats the revision guard so that two writers never move a document backwards.
  // The stored columns come with the document a batch loads (`load`, `loadMany`): no second lookup.
  const stored = `id, doc, ${KEYS.map((k) => `${KEY_COLUMNS[k]} AS ${k}`).join(', ')}`;
  type StoredRow = KeyValues & { id: string; doc: string };
  const byId = db.prepare<[string], StoredRow>(`SELECT ${stored} FROM ${users} WHERE id = ?`);
  const byIds = db.prepare<[string], StoredRow>(
    `SELECT ${stored} FROM ${users} WHERE id IN (SELECT value FROM json_each(?))`,
  );
  /** what the batch loaded: each user's stored columns, or null when it has no row */
  const loaded = new Map<string, KeyValues | null>();
  const remember = (row: StoredRow) => {
    const { id, doc, ...keys } = row;
    loaded.set(id, keys);
    return JSON.parse(doc) as UserView;
  };
  const updates = new Map<string, Statement<[Params]>>();
  const updateOf = (keys: Key[]) => {
    const shape = keys.join(' ');
    let statement = updates.get(shape);
    if (!statement) {
      const set = [...keys.map((k) => `${KEY_COLUMNS[k]} = @${k}`), 'revision = @revision', 'doc = @doc'];
      statement = db.prepare<[Params]>(`UPDATE ${users} SET ${set.join(', ')} WHERE id = @id AND revision < @revision`);
      updates.set(shape, statement);
    }
    return statement;
  };
  const writeUser = (doc: UserView) => {
    const keys = keyColumns(doc);
    const written = { id: doc.id, revision: doc.revision, doc: JSON.stringify(doc) };
    const before = loaded.has(doc.id) ? loaded.get(doc.id) : (byId.get(doc.id) ?? null);
    if (!before) return insertUser.run({ ...keys, ...written });
    const changed = KEYS.filter((k) => keys[k] !== before[k]);
    updateOf(changed).run({ ...written, ...Object.fromEntries(changed.map((k) => [k, keys[k]])) });
  };
  const insertAudit = db.prepare<[Params]>(`
    INSERT INTO ${audit} (id, position, organization_id, account_id, type, actor_id, occurred_at_ms, entry)
    VALUES (@id, @position, @org, @accountId, @type, @actorId, @occurredMs, @entry)
    ON CONFLICT (id) DO NOTHING`);
  return {
    /** A user's stored document, for the batch about to be written (in its transaction). */
    load: (id: string): UserView | null => {
      const row = byId.get(id);
      if (row) return remember(row);
      loaded.set(id, null);
      return null;
    },
    /** `load` for many users in one statement. */
    loadMany: (ids: string[]): Map<string, UserView> => {
      const found = new Map(byIds.all(JSON.stringify(ids)).map((row) => [row.id, remember(row)]));
      for (const id of ids) if (!found.has(id)) loaded.set(id, null);
      return found;
    },
    /** Forgets what the last batch loaded: first in each batch's transaction (the last may have failed). */
    forget: () => loaded.clear(),
    writeUsers: (docs: UserView[]) => {
      for (const doc of docs) writeUser(doc);
    },
    writeEntries: (entries: AuditEntry[]) => {
      for (const entry of entries) insertAudit.run(auditRow(entry));
    },
  };
}
