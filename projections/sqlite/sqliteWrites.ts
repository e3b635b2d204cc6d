import type { Database } from 'better-sqlite3';
import type { RecordedEvent } from '../../core/eventStore/eventStore.js';
import { toAuditEntry } from '../audit/auditProjection.js';
import type { AuditEntry, UserView } from '../readModel.js';
import { emailKey, expiryKey, nameKey } from '../users/userKeys.js';
import { evolveUser, userIdOf } from '../users/userProjection.js';

type Params = Record<string, string | number | null>;

const userRow = (doc: UserView): Params => ({
  id: doc.id,
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
  revision: doc.revision,
  doc: JSON.stringify(doc),
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
  // The WHERE repeats the revision guard so that two writers can never move a document backwards.
  const upsertUser = db.prepare<[Params]>(`
    INSERT INTO ${users} (id, organization_id, name_lower, extension, email_lower, secondary_email_lower,
      setup_completed_at, setup_link_expires_ms, last_email_status, last_email_bulk_id, deactivated_at, reminded,
      revision, doc)
    VALUES (@id, @org, @nameLower, @extension, @email, @secondaryEmail,
      @completedAt, @expiresMs, @lastStatus, @bulkId, @deactivatedAt, @reminded, @revision, @doc)
    ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id, name_lower = excluded.name_lower,
      extension = excluded.extension, email_lower = excluded.email_lower,
      secondary_email_lower = excluded.secondary_email_lower, setup_completed_at = excluded.setup_completed_at,
      setup_link_expires_ms = excluded.setup_link_expires_ms, last_email_status = excluded.last_email_status,
      last_email_bulk_id = excluded.last_email_bulk_id, deactivated_at = excluded.deactivated_at,
      reminded = excluded.reminded,
      revision = excluded.revision, doc = excluded.doc
    WHERE excluded.revision > ${users}.revision`);
  const insertAudit = db.prepare<[Params]>(`
    INSERT INTO ${audit} (id, position, organization_id, account_id, type, actor_id, occurred_at_ms, entry)
    VALUES (@id, @position, @org, @accountId, @type, @actorId, @occurredMs, @entry)
    ON CONFLICT (id) DO NOTHING`);
  return {
    writeUsers: (docs: UserView[]) => {
      for (const doc of docs) upsertUser.run(userRow(doc));
    },
    writeEntries: (entries: AuditEntry[]) => {
      for (const entry of entries) insertAudit.run(auditRow(entry));
    },
  };
}
