import type { ReadModel } from '../readModel.js';

/** Every user of one organization, in the order the read port pages them out. */
export async function allUsers(readModel: ReadModel, organizationId: string, now: Date) {
  const users = [];
  let after: string | undefined;
  do {
    const page = await readModel.users.search({ organizationId, first: 200, after, now });
    users.push(...page.edges.map((e) => e.node));
    after = page.hasNextPage ? page.endCursor : undefined;
  } while (after);
  return users;
}

/** Every audit entry of one organization with its cursor, in the order the read port pages them out. */
export async function allAuditEdges(readModel: ReadModel, organizationId: string) {
  const edges = [];
  let after: string | undefined;
  do {
    const page = await readModel.audit.list({ organizationId, first: 200, after });
    edges.push(...page.edges);
    after = page.hasNextPage ? page.endCursor : undefined;
  } while (after);
  return edges;
}

/**
 * Every user and audit entry of one organization as the read port pages them out: what two read
 * models are compared by (a projected one and a fresh replay), whatever their storage looks like.
 * Cursors are left out: each adapter writes its own.
 */
export async function readOrganization(readModel: ReadModel, organizationId: string, now: Date) {
  const users = await allUsers(readModel, organizationId, now);
  const audit = (await allAuditEdges(readModel, organizationId)).map((e) => e.node);
  return { users, audit };
}
