import { SYSTEM } from '../core/actor.js';
import type { CoreDeps } from '../core/context.js';
import { createUser, sendWelcomeEmail } from '../core/accounts/onboarding.js';
import { signLink } from '../core/links/linkToken.js';
import type { Logger } from '../core/logger.js';
import { onboardOrganization } from '../core/organizations/onboardOrganization.js';

const FIRST = ['Ada', 'Ben', 'Chloe', 'Dev', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Liam', 'Maya'];
const LAST = ['Lovelace', 'Okafor', 'Martin', 'Patel', 'Rossi', 'Haddad', 'Hopper', 'Tanaka', 'Silva', 'Berg'];
const STAFF = 24;

/** Someone the demo starts with: a welcome email on its way, and the link it carries. */
interface Invited {
  role: string;
  name: string;
  accountId: string;
  loginName: string;
  inviteId?: string;
}

/**
 * On an empty data directory: a demo organization ("Acme", domain `acme`) with an office manager,
 * an auditor and two dozen staff. The manager and the auditor are sent welcome emails and their setup
 * links are printed so the demo can begin as either — unless `logLink` is false (production): a link
 * in a log is a password for whoever reads it; the welcome emails carry them all the same. The staff
 * get their welcome email when the manager sends it, as in real use.
 */
export async function seedDemo(deps: CoreDeps, publicUrl: string, log: Logger, options: { logLink: boolean }) {
  const manager = { name: 'Olivia Manager', extension: '100', email: 'olivia.manager@acme.example' };
  const org = await onboardOrganization(deps, { name: 'Acme Plumbing', domain: 'acme', manager });
  const ctx = { actor: SYSTEM };
  const auditor = { name: 'Arthur Auditor', extension: '199', email: 'arthur.auditor@acme.example' };
  const { accountId: auditorId } = await createUser(deps, ctx, {
    organizationId: org.organizationId,
    ...auditor,
    role: 'AUDITOR',
  });
  const { events } = await sendWelcomeEmail(deps, ctx, auditorId);
  const auditorWelcome = events.find((e) => e.type === 'WelcomeEmailSent');
  for (let i = 0; i < STAFF; i++) {
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
  const invited: Invited[] = [
    { role: 'office manager', name: manager.name, accountId: org.managerId, loginName: org.loginName, inviteId: org.inviteId },
    {
      role: 'auditor',
      name: auditor.name,
      accountId: auditorId,
      loginName: `${auditor.extension}@acme`,
      inviteId: auditorWelcome?.type === 'WelcomeEmailSent' ? auditorWelcome.data.inviteId : undefined,
    },
  ];
  if (!options.logLink) {
    log.info(
      { loginNames: invited.map((p) => p.loginName) },
      'demo organization created: its office manager and its auditor were sent welcome emails',
    );
    return org;
  }
  log.info(
    { url: publicUrl },
    'demo organization created: open a setup link below, choose a password and a voicemail PIN, ' +
      'then sign in with the login name and the password you chose',
  );
  for (const person of invited) {
    const setupLink = person.inviteId
      ? `${publicUrl}/setup?token=${signLink(deps.links.secret, 'welcome', person.accountId, person.inviteId)}`
      : undefined;
    log.info({ loginName: person.loginName, setupLink }, `demo ${person.role}: ${person.name}`);
  }
  log.info(
    { loginNames: `101@acme … ${100 + STAFF}@acme` },
    `demo users: ${STAFF} staff without a welcome email yet; as the office manager, send one from the ` +
      'Users page, then `npm run outbox` shows its link',
  );
  return org;
}
