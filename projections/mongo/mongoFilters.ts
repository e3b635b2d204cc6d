import type { Filter } from 'mongodb';
import type { AccountStatus, AuditQuery, UserQuery } from '../readModel.js';
import { searchPlan } from '../users/userSearch.js';
import type { AuditDoc, UserDoc } from './mongoDocs.js';
import { searchClauses } from './mongoSearch.js';

/** `statusOf` as a query, so the status filter runs in the database. */
function statusClause(status: AccountStatus, now: number): Filter<UserDoc> {
  switch (status) {
    case 'DEACTIVATED':
      return { deactivatedAt: { $ne: null } };
    case 'ACTIVE':
      return { deactivatedAt: null, completedAt: { $ne: null } };
    case 'NOT_INVITED':
      return { deactivatedAt: null, completedAt: null, expiresMs: null };
    case 'INVITED':
      return { deactivatedAt: null, completedAt: null, expiresMs: { $gt: now } };
    case 'INVITE_EXPIRED':
      // a number comparison never matches null, as in SQL
      return { deactivatedAt: null, completedAt: null, expiresMs: { $lte: now } };
    default: {
      const exhaustive: never = status;
      return exhaustive;
    }
  }
}

/**
 * An empty status list means "any status", as an empty set of filter chips does in the UI. The
 * organization (and a page's lower bound) goes into every way of matching, so that each is one
 * bounded scan of the search index; the exact position after the cursor is then checked on it.
 */
export function userFilter(
  query: Omit<UserQuery, 'first' | 'after'>,
  after?: { name: string; id: string },
): Filter<UserDoc> {
  const and: Filter<UserDoc>[] = [];
  const plan = searchPlan(query.search);
  const scope: Filter<UserDoc> = {
    organizationId: query.organizationId,
    ...(after ? { nameKey: { $gte: after.name } } : {}),
  };
  if (plan) {
    const ways = searchClauses(plan).map((clause) => ({ ...scope, ...clause }));
    and.push(ways.length === 1 ? ways[0]! : { $or: ways });
  }
  if (query.status?.length) {
    const now = query.now.getTime();
    and.push({ $or: [...new Set(query.status)].map((s) => statusClause(s, now)) });
  }
  if (query.expiresWithinMs !== undefined) {
    const now = query.now.getTime();
    and.push({ completedAt: null, deactivatedAt: null, expiresMs: { $gt: now, $lte: now + query.expiresWithinMs } });
  }
  if (after) and.push({ $or: [{ nameKey: { $gt: after.name } }, { nameKey: after.name, _id: { $gt: after.id } }] });
  return and.length ? { ...scope, $and: and } : scope;
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
