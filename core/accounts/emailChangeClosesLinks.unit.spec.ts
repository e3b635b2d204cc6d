import { describe, it } from 'vitest';
import type { AccountEvent } from './events.js';
import { accountSpec as spec, annOpened as opened, mia as manager } from './testing/ann.js';

const NOW = new Date('2026-11-26T09:00:00Z');
const LATER = new Date(NOW.getTime() + 3_600_000).toISOString();

const secondEmail: AccountEvent = { type: 'SecondaryEmailAdded', data: { email: 'ann@home.example', by: 'acc-mia' } };
const welcomeToBoth: AccountEvent = {
  type: 'WelcomeEmailSent',
  data: { inviteId: 'inv-1', expiresAt: LATER, recipients: ['ann@acme.com', 'ann@home.example'], sentBy: 'acc-mia' },
};
const setUp: AccountEvent = { type: 'SetupCompleted', data: { inviteId: 'inv-1', passwordHash: 'h1', pinHash: 'p1' } };
const resetToBoth: AccountEvent = {
  type: 'ResetRequested',
  data: { resetId: 'res-1', expiresAt: LATER, recipients: ['ann@acme.com', 'ann@home.example'] },
};
const designatedChanged: AccountEvent = {
  type: 'DesignatedEmailChanged',
  data: { email: 'ann.lee@acme.com', previousEmail: 'ann@acme.com', by: 'acc-mia', noticeId: 'n-1' },
};
const secondRemoved: AccountEvent = {
  type: 'SecondaryEmailRemoved',
  data: { email: 'ann@home.example', by: 'acc-mia', noticeId: 'n-2' },
};

const completeSetup = {
  type: 'CompleteSetup',
  now: NOW,
  data: { inviteId: 'inv-1', passwordHash: 'h', pinHash: 'p' },
} as const;
const resetPassword = {
  type: 'ResetPassword',
  now: NOW,
  data: { resetId: 'res-1', changeId: 'chg-1', passwordHash: 'h2' },
} as const;

describe('given a welcome link sent to the designated and the second email', () => {
  it('is LINK_INVALID once the designated email changed', () => {
    spec.given([opened, secondEmail, welcomeToBoth, designatedChanged]).when(completeSetup).thenThrows('LINK_INVALID');
  });

  it('is LINK_INVALID once the second email was removed', () => {
    spec.given([opened, secondEmail, welcomeToBoth, secondRemoved]).when(completeSetup).thenThrows('LINK_INVALID');
  });

  it('still works when the change only adds an address', () => {
    const welcomeToOne: AccountEvent = {
      ...welcomeToBoth,
      data: { ...welcomeToBoth.data, recipients: ['ann@acme.com'] },
    };
    spec
      .given([opened, welcomeToOne, secondEmail])
      .when(completeSetup)
      .then([{ type: 'SetupCompleted', data: completeSetup.data }]);
  });
});

describe('given a reset link sent to both addresses of an active account', () => {
  it('is LINK_INVALID once the second email was removed', () => {
    spec
      .given([opened, secondEmail, welcomeToBoth, setUp, resetToBoth, secondRemoved])
      .when(resetPassword)
      .thenThrows('LINK_INVALID');
  });

  it('is LINK_INVALID once the second email was replaced', () => {
    const replaced: AccountEvent = {
      type: 'SecondaryEmailAdded',
      data: { email: 'ann@work.example', previousEmail: 'ann@home.example', by: 'acc-mia', noticeId: 'n-3' },
    };
    spec
      .given([opened, secondEmail, welcomeToBoth, setUp, resetToBoth, replaced])
      .when(resetPassword)
      .thenThrows('LINK_INVALID');
  });
});

describe('given an office manager replacing a second email', () => {
  it('names the notice for the address taken off the account', () => {
    spec
      .given([opened, secondEmail])
      .when({ type: 'AddSecondaryEmail', actor: manager, data: { email: 'ann@work.example', noticeId: 'n-4' } })
      .then([
        {
          type: 'SecondaryEmailAdded',
          data: { email: 'ann@work.example', previousEmail: 'ann@home.example', by: 'acc-mia', noticeId: 'n-4' },
        },
      ]);
  });
});

describe('given a recovery email withheld by its cap', () => {
  it('records why nothing was sent', () => {
    spec
      .given([opened])
      .when({ type: 'WithholdEmail', data: { withheldId: 'w-1', kind: 'reset' } })
      .then([{ type: 'EmailWithheld', data: { withheldId: 'w-1', kind: 'reset', reason: 'too-many-requests' } }]);
  });

  it('is NOT_FOUND for an account that does not exist', () => {
    spec
      .given([])
      .when({ type: 'WithholdEmail', data: { withheldId: 'w-1', kind: 'login-name' } })
      .thenThrows('NOT_FOUND');
  });
});
