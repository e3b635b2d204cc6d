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

export const NOW = new Date('2026-11-26T09:00:00Z');
export const IN_AN_HOUR = new Date(NOW.getTime() + 3_600_000).toISOString();

export const annWelcomed: AccountEvent = {
  type: 'WelcomeEmailSent',
  data: { inviteId: 'inv-1', expiresAt: IN_AN_HOUR, recipients: ['ann@acme.com'], sentBy: 'acc-mia' },
};
export const annSetUp: AccountEvent = {
  type: 'SetupCompleted',
  data: { inviteId: 'inv-1', passwordHash: 'pw-1', pinHash: 'pin-1' },
};
export const annDeactivated: AccountEvent = { type: 'AccountDeactivated', data: { by: 'acc-mia' } };

/** Ann, signed in as herself. */
export const ann: Actor = { kind: 'account', accountId: 'acc-ann', organizationId: 'org-acme', role: 'USER' };
/** An office manager of another organization. */
export const olaOfGlobex: Actor = {
  kind: 'account',
  accountId: 'acc-ola',
  organizationId: 'org-globex',
  role: 'OFFICE_MANAGER',
};

/** Mia's own account: an office manager who completed setup. */
export const miaOpened: AccountEvent = {
  type: 'AccountOpened',
  data: {
    ...(annOpened.data),
    accountId: 'acc-mia',
    name: 'Mia Chen',
    extension: '100',
    loginName: '100@acme',
    email: 'mia@acme.com',
    role: 'OFFICE_MANAGER',
    openedBy: 'system',
  },
};
export const miaSetUp: AccountEvent = {
  type: 'SetupCompleted',
  data: { inviteId: 'inv-m', passwordHash: 'pw-m', pinHash: 'pin-m' },
};
