import type { Actor } from '../../actor.js';
import { DeciderSpecification } from '../../testing/decider.js';
import { decideAccount, evolveAccount, initialAccountState } from '../account.js';
import type { AccountEvent } from '../events.js';

/** What the account decider specs start from: Acme, its office manager Mia, and Ann's opened account. */
export const accountSpec = DeciderSpecification.for({
  decide: decideAccount,
  evolve: evolveAccount,
  initialState: initialAccountState,
});

export const mia: Actor = { kind: 'account', accountId: 'acc-mia', organizationId: 'org-acme', role: 'OFFICE_MANAGER' };

export const annOpened: AccountEvent = {
  type: 'AccountOpened',
  data: {
    accountId: 'acc-ann',
    organizationId: 'org-acme',
    name: 'Ann Lee',
    extension: '101',
    loginName: '101@acme',
    email: 'ann@acme.com',
    role: 'USER',
    openedBy: 'acc-mia',
  },
};
