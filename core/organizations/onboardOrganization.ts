import { SYSTEM } from '../actor.js';
import type { CoreDeps } from '../context.js';
import { createUser, sendWelcomeEmail } from '../accounts/onboarding.js';
import { decideAccount, initialAccountState } from '../accounts/account.js';
import { KeyturnError, isKeyturnError } from '../errors.js';
import { decideOrganization, initialOrganizationState } from './organization.js';
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
  validateOnboarding(input);
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

const PLACEHOLDER_ID = '00000000-0000-4000-8000-000000000000';

/** Every field checked before anything is written, with all problems reported together. */
function validateOnboarding(input: OnboardOrganizationInput) {
  const fields: Record<string, string[]> = {};
  const collect = (prefix: string, run: () => unknown) => {
    try {
      run();
    } catch (error) {
      if (!isKeyturnError(error, 'BAD_USER_INPUT')) throw error;
      for (const [field, messages] of Object.entries(error.fields ?? {})) fields[prefix + field] = messages;
    }
  };
  collect('', () =>
    decideOrganization(
      { type: 'RegisterOrganization', actor: SYSTEM, data: { organizationId: PLACEHOLDER_ID, name: input.name, domain: input.domain } },
      initialOrganizationState(),
    ),
  );
  collect('manager.', () =>
    decideAccount(
      {
        type: 'OpenAccount',
        actor: SYSTEM,
        data: {
          accountId: PLACEHOLDER_ID,
          organizationId: PLACEHOLDER_ID,
          ...input.manager,
          loginName: `${input.manager.extension}@${input.domain}`,
          role: 'OFFICE_MANAGER',
        },
      },
      initialAccountState(),
    ),
  );
  if (Object.keys(fields).length > 0) throw new KeyturnError('BAD_USER_INPUT', 'Some fields are not valid.', fields);
}
