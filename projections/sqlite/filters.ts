import type { AuditQuery, UserQuery } from '../readModel.js';
import { searchTerm } from '../users/userKeys.js';

/** A WHERE clause and its named parameters; the clause text depends only on which filters are set. */
export interface Filter {
  where: string;
  params: Record<string, string | number>;
}

/** `statusOf` in SQL, so the status filter runs in the database. */
const statusSql = `CASE
  WHEN setup_completed_at IS NOT NULL THEN 'ACTIVE'
  WHEN setup_link_expires_ms IS NULL THEN 'NOT_INVITED'
  WHEN setup_link_expires_ms > @now THEN 'INVITED'
  ELSE 'INVITE_EXPIRED' END`;

/** An empty status list means "any status", as an empty set of filter chips does in the UI. */
export function userFilter(query: Omit<UserQuery, 'first' | 'after'>): Filter {
  const clauses = ['organization_id = @org'];
  const params: Filter['params'] = { org: query.organizationId };
  const term = searchTerm(query.search);
  if (term) {
    // instr() compares plain text: `%`, `_`, `\` or `.*` typed by someone are never a pattern.
    clauses.push(
      term.extension === undefined
        ? 'instr(name_lower, @name) > 0'
        : '(instr(name_lower, @name) > 0 OR instr(extension, @extension) = 1)',
    );
    Object.assign(params, term);
  }
  if (query.status?.length) {
    clauses.push(`${statusSql} IN (SELECT value FROM json_each(@statuses))`);
    Object.assign(params, { statuses: JSON.stringify(query.status), now: query.now.getTime() });
  }
  return { where: clauses.join(' AND '), params };
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
