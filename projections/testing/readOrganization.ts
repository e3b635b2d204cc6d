import type { AuditEntry, ReadModel, UserView } from '../readModel.js';

/**
 * Every user and audit entry of one organization as the read port pages them out: what two read
 * models are compared by (a projected one and a fresh replay), whatever their storage looks like.
 */
export async function readOrganization(readModel: ReadModel, organizationId: string, now: Date) {
  const users: UserView[] = [];
  const audit: AuditEntry[] = [];
  let after: string | undefined;
  do {
    const page = await readModel.users.search({ organizationId, first: 200, after, now });
    users.push(...page.edges.map((e) => e.node));
    after = page.hasNextPage ? page.endCursor : undefined;
  } while (after);
  do {
    const page = await readModel.audit.list({ organizationId, first: 200, after });
    audit.push(...page.edges.map((e) => e.node));
    after = page.hasNextPage ? page.endCursor : undefined;
  } while (after);
  return { users, audit };
}
