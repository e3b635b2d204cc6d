import { describe, expect, it } from 'vitest';
import { DeciderSpecification } from '../testing/decider.js';
import type { AccountCommand } from './account.js';
import { assertResetLinkUsable, decideAccount, evolveAccount, initialAccountState } from './account.js';
import type { AccountEvent } from './events.js';

const spec = DeciderSpecification.for({
  decide: decideAccount,
  evolve: evolveAccount,
  initialState: initialAccountState,
});

const REQUESTED_AT = new Date('2025-03-10T12:00:00.000Z');
const EXPIRES_AT = new Date('2025-03-10T13:00:00.000Z');
const at = (base: Date, ms: number) => new Date(base.getTime() + ms);

const opened: AccountEvent = {
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
const welcomeSent: AccountEvent = {
  type: 'WelcomeEmailSent',
  data: { inviteId: 'inv-1', expiresAt: '2025-03-02T09:00:00.000Z', recipients: ['ann@acme.com'], sentBy: 'acc-mia' },
};
const setupCompleted: AccountEvent = {
  type: 'SetupCompleted',
  data: { inviteId: 'inv-1', passwordHash: 'argon2:first', pinHash: 'argon2:pin' },
};
const active = [opened, welcomeSent, setupCompleted];
const secondEmail: AccountEvent = { type: 'SecondaryEmailAdded', data: { email: 'ann@home.example', by: 'acc-mia' } };

const resetRequested = (resetId: string, expiresAt = EXPIRES_AT): AccountEvent => ({
  type: 'ResetRequested',
  data: { resetId, expiresAt: expiresAt.toISOString(), recipients: ['ann@acme.com'] },
});
const passwordChanged = (resetId: string | undefined, changeId: string): AccountEvent => ({
  type: 'PasswordChanged',
  data: {
    changeId,
    via: 'reset',
    ...(resetId ? { resetId } : {}),
    passwordHash: `argon2:${changeId}`,
    recipients: ['ann@acme.com'],
  },
});

const requestReset = (resetId: string, expiresAt = EXPIRES_AT): AccountCommand => ({
  type: 'RequestReset',
  now: REQUESTED_AT,
  data: { resetId, expiresAt },
});
const resetPassword = (resetId: string, now: Date, changeId = 'chg-1'): AccountCommand => ({
  type: 'ResetPassword',
  now,
  data: { resetId, changeId, passwordHash: `argon2:${changeId}` },
});

describe('given no account or a pending one (setup not completed)', () => {
  it('decides nothing on a reset request, so the caller answers the same either way', () => {
    spec.given([]).when(requestReset('rst-1')).thenNothingHappened();
    spec.given([opened, welcomeSent]).when(requestReset('rst-1')).thenNothingHappened();
  });

  it('answers LINK_INVALID to a reset attempt', () => {
    spec.given([opened, welcomeSent]).when(resetPassword('rst-1', REQUESTED_AT)).thenThrows('LINK_INVALID');
  });
});

describe('given an active account', () => {
  it('requests a reset with its expiry, to the designated email', () => {
    spec
      .given(active)
      .when(requestReset('rst-1'))
      .then([
        {
          type: 'ResetRequested',
          data: { resetId: 'rst-1', expiresAt: '2025-03-10T13:00:00.000Z', recipients: ['ann@acme.com'] },
        },
      ]);
  });

  it('requests a reset to the designated and the second email when there is one', () => {
    spec
      .given([...active, secondEmail])
      .when(requestReset('rst-1'))
      .then([
        {
          type: 'ResetRequested',
          data: {
            resetId: 'rst-1',
            expiresAt: '2025-03-10T13:00:00.000Z',
            recipients: ['ann@acme.com', 'ann@home.example'],
          },
        },
      ]);
  });

  it('answers LINK_INVALID to a resetId never requested', () => {
    spec.given(active).when(resetPassword('rst-1', REQUESTED_AT)).thenThrows('LINK_INVALID');
  });
});

describe('given an active account with a reset requested', () => {
  const given = spec.given([...active, secondEmail, resetRequested('rst-1')]);

  it('changes the password via the reset link 1 ms before it expires, telling every address', () => {
    given.when(resetPassword('rst-1', at(EXPIRES_AT, -1))).then([
      {
        type: 'PasswordChanged',
        data: {
          via: 'reset',
          resetId: 'rst-1',
          changeId: 'chg-1',
          passwordHash: 'argon2:chg-1',
          recipients: ['ann@acme.com', 'ann@home.example'],
        },
      },
    ]);
  });

  it('answers LINK_EXPIRED at the moment of expiry and after it', () => {
    given.when(resetPassword('rst-1', EXPIRES_AT)).thenThrows('LINK_EXPIRED');
    given.when(resetPassword('rst-1', at(EXPIRES_AT, 1))).thenThrows('LINK_EXPIRED');
  });

  it('hands back the open account from assertResetLinkUsable for a usable link', () => {
    const state = [...active, resetRequested('rst-1')].reduce(evolveAccount, initialAccountState());
    expect(assertResetLinkUsable(state, 'rst-1', REQUESTED_AT)).toMatchObject({ id: 'acc-ann', status: 'active' });
  });
});

describe('given a newer reset requested after an older one', () => {
  const given = spec.given([...active, resetRequested('rst-A'), resetRequested('rst-B')]);

  it('answers LINK_INVALID to the older, superseded link, though it has not expired', () => {
    given.when(resetPassword('rst-A', REQUESTED_AT)).thenThrows('LINK_INVALID');
  });

  it('changes the password via the newer link', () => {
    given.when(resetPassword('rst-B', REQUESTED_AT)).then([passwordChanged('rst-B', 'chg-1')]);
  });
});

describe('given the password changed via a reset link', () => {
  const given = spec.given([...active, resetRequested('rst-A'), passwordChanged('rst-A', 'chg-1')]);

  it('answers LINK_USED to a second use of that link, even before it expires', () => {
    given.when(resetPassword('rst-A', REQUESTED_AT, 'chg-2')).thenThrows('LINK_USED');
  });

  it('accepts a reset requested after the change', () => {
    spec
      .given([...active, resetRequested('rst-A'), passwordChanged('rst-A', 'chg-1'), resetRequested('rst-C')])
      .when(resetPassword('rst-C', REQUESTED_AT, 'chg-2'))
      .then([passwordChanged('rst-C', 'chg-2')]);
  });
});

describe('given a reset requested, superseded, and the password changed via the newer link', () => {
  const given = spec.given([
    ...active,
    resetRequested('rst-A'),
    resetRequested('rst-B'),
    passwordChanged('rst-B', 'chg-1'),
  ]);

  it('answers LINK_USED to the link that changed it and LINK_INVALID to the superseded one', () => {
    given.when(resetPassword('rst-B', REQUESTED_AT, 'chg-2')).thenThrows('LINK_USED');
    given.when(resetPassword('rst-A', REQUESTED_AT, 'chg-2')).thenThrows('LINK_INVALID');
  });
});

describe('given an outstanding reset link when the password changes another way', () => {
  // Today every PasswordChanged comes via a reset, but `resetId` is optional: any change clears `reset`.
  const given = spec.given([...active, resetRequested('rst-B'), passwordChanged(undefined, 'chg-1')]);

  it('answers LINK_INVALID to the outstanding link: a password change kills it', () => {
    given.when(resetPassword('rst-B', REQUESTED_AT, 'chg-2')).thenThrows('LINK_INVALID');
  });
});
