import type { AuditQuery, UserQuery } from '../readModel.js';
import { prefixEnd, type SearchPlan } from '../users/userSearch.js';

/** A WHERE clause and its named parameters; the clause text depends only on which filters are set. */
export interface Filter {
  where: string;
  params: Record<string, string | number>;
}

/** `statusOf` in SQL, so the status filter runs in the database. */
export const statusSql = `CASE
  WHEN deactivated_at IS NOT NULL THEN 'DEACTIVATED'
  WHEN setup_completed_at IS NOT NULL THEN 'ACTIVE'
  WHEN setup_link_expires_ms IS NULL THEN 'NOT_INVITED'
  WHEN setup_link_expires_ms > @now THEN 'INVITED'
  ELSE 'INVITE_EXPIRED' END`;

/**
 * The exact conditions of a search (see `SearchPlan`), each on its own so that a count can take them
 * one at a time. instr() compares plain text: `%`, `_`, `\\` or `.*` typed by someone are never a
 * pattern; the extension prefix is a range, so the (organization_id, extension) index serves it.
 */
export function searchConditions(plan: SearchPlan): {
  name?: string;
  extension?: string;
  login?: string;
  params: Filter['params'];
} {
  const params: Filter['params'] = {};
  if (plan.login) {
    Object.assign(params, { loginExt: plan.login.extension, login: plan.login.prefix });
    // the document is read only for the one user with that extension
    return { login: `extension = @loginExt AND instr(lower(json_extract(doc, '$.loginName')), @login) = 1`, params };
  }
  plan.words.forEach((word, i) => (params[`w${i}`] = word));
  const name = plan.words.map((_, i) => `instr(name_lower, @w${i}) > 0`).join(' AND ');
  if (plan.extensionPrefix === undefined) return { name, params };
  Object.assign(params, { extFrom: plan.extensionPrefix, extTo: prefixEnd(plan.extensionPrefix) });
  return { name, extension: 'extension >= @extFrom AND extension < @extTo', params };
}

/** Everything but the search: the organization, and the status as of `now`. */
export function baseFilter(query: Omit<UserQuery, 'first' | 'after'>): Filter {
  const clauses = ['organization_id = @org'];
  const params: Filter['params'] = { org: query.organizationId };
  if (query.status?.length) {
    clauses.push(`${statusSql} IN (SELECT value FROM json_each(@statuses))`);
    Object.assign(params, { statuses: JSON.stringify(query.status), now: query.now.getTime() });
  }
  if (query.expiresWithinMs !== undefined) {
    clauses.push(
      'setup_completed_at IS NULL AND deactivated_at IS NULL AND setup_link_expires_ms > @soonFrom AND setup_link_expires_ms <= @soonTo',
    );
    Object.assign(params, { soonFrom: query.now.getTime(), soonTo: query.now.getTime() + query.expiresWithinMs });
  }
  return { where: clauses.join(' AND '), params };
}

/** An empty status list means "any status", as an empty set of filter chips does in the UI. */
export function userFilter(query: Omit<UserQuery, 'first' | 'after'>, plan: SearchPlan | undefined): Filter {
  const base = baseFilter(query);
  if (!plan) return base;
  const { params, name, extension, login } = searchConditions(plan);
  const either = [name, extension, login].filter((c) => c !== undefined).map((c) => `(${c})`);
  return { where: `${base.where} AND (${either.join(' OR ')})`, params: { ...base.params, ...params } };
}

export function auditFilter(query: AuditQuery): Filter {
  const clauses = ['organization_id = @org'];
  const params: Filter['params'] = { org: query.organizationId };
  const add = (clause: string, name: string, value: string | number) => {
    clauses.push(clause);
    params[name] = value;
  };
  if (query.accountId !== undefined) add('account_id = @accountId', 'accountId', query.accountId);
  if (query.types?.length) add('type IN (SELECT value FROM json_each(@types))', 'types', JSON.stringify(query.types));
  if (query.actorId !== undefined) add('actor_id = @actorId', 'actorId', query.actorId);
  if (query.from) add('occurred_at_ms >= @from', 'from', query.from.getTime());
  if (query.to) add('occurred_at_ms <= @to', 'to', query.to.getTime());
  return { where: clauses.join(' AND '), params };
}
