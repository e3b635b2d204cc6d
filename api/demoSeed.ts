import { SYSTEM } from '../core/actor.js';
import type { CoreDeps } from '../core/context.js';
import { createUser } from '../core/accounts/onboarding.js';
import { signLink } from '../core/links/linkToken.js';
import type { Logger } from '../core/logger.js';
import { onboardOrganization } from '../core/organizations/onboardOrganization.js';

const FIRST = ['Ada', 'Ben', 'Chloe', 'Dev', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Liam', 'Maya'];
const LAST = ['Lovelace', 'Okafor', 'Martin', 'Patel', 'Rossi', 'Haddad', 'Hopper', 'Tanaka', 'Silva', 'Berg'];

/**
 * On an empty data directory: a demo organization ("Acme", domain `acme`) with an office manager,
 * an auditor and two dozen staff, and the manager's setup link printed so the demo can begin —
 * unless `logLink` is false (production): a link in a log is a password for whoever reads it; the
 * manager's welcome email carries it all the same.
 */
export async function seedDemo(deps: CoreDeps, publicUrl: string, log: Logger, options: { logLink: boolean }) {
  const org = await onboardOrganization(deps, {
    name: 'Acme Plumbing',
    domain: 'acme',
    manager: { name: 'Olivia Manager', extension: '100', email: 'olivia.manager@acme.example' },
  });
  const ctx = { actor: SYSTEM };
  await createUser(deps, ctx, {
    organizationId: org.organizationId,
    name: 'Arthur Auditor',
    extension: '199',
    email: 'arthur.auditor@acme.example',
    role: 'AUDITOR',
  });
  for (let i = 0; i < 24; i++) {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[(i * 7) % LAST.length]!;
    await createUser(deps, ctx, {
      organizationId: org.organizationId,
      name: `${first} ${last}`,
      extension: String(101 + i),
      email: `${first}.${last}${i}@acme.example`.toLowerCase(),
      role: 'USER',
    });
  }
  if (!options.logLink) {
    log.info({ loginName: org.loginName }, 'demo organization created: its office manager was sent a welcome email');
    return org;
  }
  const link = org.inviteId
    ? `${publicUrl}/setup?token=${signLink(deps.links.secret, 'welcome', org.managerId, org.inviteId)}`
    : undefined;
  log.info({ loginName: org.loginName, setupLink: link }, 'demo organization created: open the setup link to start as its office manager');
  return org;
}
