import { SYSTEM } from '../actor.js';
import type { CoreDeps } from '../context.js';
import { createUser, sendWelcomeEmail } from '../accounts/onboarding.js';
import { registerOrganization } from './registerOrganization.js';

export interface OnboardOrganizationInput {
  name: string;
  domain: string;
  manager: { name: string; extension: string; email: string };
}

/**
 * Operator action (CLI, demo seed): the organization, its office manager, and the manager's welcome
 * email — recorded as an event, so the reactor sends it whenever a server runs.
 */
export async function onboardOrganization(deps: CoreDeps, input: OnboardOrganizationInput) {
  const { organizationId } = await registerOrganization(deps, { name: input.name, domain: input.domain });
  const ctx = { actor: SYSTEM };
  const { accountId } = await createUser(deps, ctx, {
    organizationId,
    ...input.manager,
    role: 'OFFICE_MANAGER',
  });
  const { events } = await sendWelcomeEmail(deps, ctx, accountId);
  const welcome = events.find((e) => e.type === 'WelcomeEmailSent');
  return {
    organizationId,
    managerId: accountId,
    loginName: `${input.manager.extension}@${input.domain}`,
    inviteId: welcome?.type === 'WelcomeEmailSent' ? welcome.data.inviteId : undefined,
  };
}
