import type { Filter } from 'mongodb';
import type { AccountStatus, AuditQuery, UserQuery } from '../readModel.js';
import { searchTerm } from '../users/userKeys.js';
import type { AuditDoc, UserDoc } from './mongoDocs.js';

/**
 * Every regex metacharacter escaped: what someone types is matched as plain text, and an escaped
 * literal has no quantifier or alternation, so matching stays linear in the name's length.
 */
export const literalPattern = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

/** `statusOf` as a query, so the status filter runs in the database. */
function statusClause(status: AccountStatus, now: number): Filter<UserDoc> {
  switch (status) {
    case 'ACTIVE':
      return { completedAt: { $ne: null } };
    case 'NOT_INVITED':
      return { completedAt: null, expiresMs: null };
    case 'INVITED':
      return { completedAt: null, expiresMs: { $gt: now } };
    case 'INVITE_EXPIRED':
      // a number comparison never matches null, as in SQL
      return { completedAt: null, expiresMs: { $lte: now } };
    default: {
      const exhaustive: never = status;
      return exhaustive;
    }
  }
}

/** An empty status list means "any status", as an empty set of filter chips does in the UI. */
export function userFilter(query: Omit<UserQuery, 'first' | 'after'>): Filter<UserDoc> {
  const and: Filter<UserDoc>[] = [];
  const term = searchTerm(query.search);
  if (term) {
    // names: any part (the key is lower-cased, and so is the term); extensions: a prefix
    const byName: Filter<UserDoc> = { nameKey: { $regex: literalPattern(term.name) } };
    and.push(
      term.extension === undefined
        ? byName
        : { $or: [byName, { extension: { $regex: `^${literalPattern(term.extension)}` } }] },
    );
  }
  if (query.status?.length) {
    const now = query.now.getTime();
    and.push({ $or: [...new Set(query.status)].map((s) => statusClause(s, now)) });
  }
  return and.length ? { organizationId: query.organizationId, $and: and } : { organizationId: query.organizationId };
}

export function auditFilter(query: AuditQuery): Filter<AuditDoc> {
  const filter: Filter<AuditDoc> = { organizationId: query.organizationId };
  if (query.accountId !== undefined) filter.accountId = query.accountId;
  if (query.types?.length) filter.type = { $in: query.types };
  if (query.actorId !== undefined) filter.actorId = query.actorId;
  if (query.from || query.to) {
    filter.occurredMs = {
      ...(query.from ? { $gte: query.from.getTime() } : {}),
      ...(query.to ? { $lte: query.to.getTime() } : {}),
    };
  }
  return filter;
}
