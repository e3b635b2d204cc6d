import type { AuditEntry, UserView } from '../readModel.js';
import { emailKey, expiryKey, nameKey } from '../users/userKeys.js';
import { searchKeys } from './mongoSearch.js';

/**
 * A user document: the view as the port returns it, plus the derived keys every query filters or
 * sorts on, computed by `userKeys.ts` exactly as the SQLite columns are. Absent keys are stored as
 * null (not left out) so that `{ key: null }` and indexes behave the same on MongoDB and FerretDB.
 */
export interface UserDoc {
  _id: string;
  organizationId: string;
  nameKey: string;
  extension: string;
  email: string;
  secondaryEmail: string | null;
  completedAt: string | null;
  expiresMs: number | null;
  lastStatus: string | null;
  bulkId: string | null;
  /** absent on documents projected before deactivation existed, which `null` matches too */
  deactivatedAt?: string | null;
  /** the current welcome link was reminded of (absent on older documents: none were) */
  reminded?: boolean | null;
  /** what a search finds the user by (see `mongoSearch.ts`); absent on documents projected before it */
  searchKeys: string[];
  /** the revision guard: a write only lands on a document with a lower revision */
  revision: number;
  view: UserView;
}

export function toUserDoc(view: UserView): UserDoc {
  return {
    _id: view.id,
    organizationId: view.organizationId,
    nameKey: nameKey(view.name),
    extension: view.extension,
    email: emailKey(view.email),
    secondaryEmail: view.secondaryEmail === undefined ? null : emailKey(view.secondaryEmail),
    completedAt: view.setupCompletedAt ?? null,
    expiresMs: expiryKey(view.setupLinkExpiresAt) ?? null,
    lastStatus: view.lastEmail?.status ?? null,
    bulkId: view.lastEmail?.bulkId ?? null,
    deactivatedAt: view.deactivatedAt ?? null,
    reminded: view.welcomeReminderSentAt ? true : null,
    searchKeys: searchKeys(view),
    revision: view.revision,
    view,
  };
}

/**
 * An audit entry, keyed by its event id so that storing it again is a no-op. The entry itself is
 * JSON text, as in SQLite: its `data` is whatever the event carried, and field names with `$` or `.`
 * are not something MongoDB and FerretDB v1 both store; as text it also round-trips exactly (and
 * FerretDB decodes it a third as slowly as a nested document).
 */
export interface AuditDoc {
  _id: string;
  /** projection order (see `mongoProjection.ts`): positions are opaque and not sortable here */
  seq: number;
  organizationId: string;
  accountId: string | null;
  type: string;
  actorId: string;
  occurredMs: number;
  entry: string;
}

export const toAuditDoc = (entry: AuditEntry, seq: number): AuditDoc => ({
  _id: entry.id,
  seq,
  organizationId: entry.organizationId,
  accountId: entry.accountId ?? null,
  type: entry.type,
  actorId: entry.actorId,
  occurredMs: Date.parse(entry.occurredAt) || 0,
  entry: JSON.stringify(entry),
});

/** The checkpoint of one projection version, with the audit sequence it has reached. */
export interface CheckpointDoc {
  _id: string;
  position: string;
  seq: number;
}
