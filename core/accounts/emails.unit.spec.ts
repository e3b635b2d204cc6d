import { describe, expect, it } from 'vitest';
import type { Actor } from '../actor.js';
import { DeciderSpecification } from '../testing/decider.js';
import { EMAIL_MESSAGE } from '../validation.js';
import type { AccountCommand } from './account.js';
import { decideAccount, evolveAccount, initialAccountState } from './account.js';
import type { AccountEvent } from './events.js';

const spec = DeciderSpecification.for({
  decide: decideAccount,
  evolve: evolveAccount,
  initialState: initialAccountState,
});

const manager: Actor = { kind: 'account', accountId: 'acc-mia', organizationId: 'org-acme', role: 'OFFICE_MANAGER' };
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
const secondEmail: AccountEvent = { type: 'SecondaryEmailAdded', data: { email: 'ann@home.example', by: 'acc-mia' } };

const changeDesignated = (email: string): AccountCommand => ({
  type: 'ChangeDesignatedEmail',
  actor: manager,
  data: { email, noticeId: 'n-1' },
});
const addSecondary = (email: string): AccountCommand => ({
  type: 'AddSecondaryEmail',
  actor: manager,
  data: { email, noticeId: 'n-1' },
});
const removeSecondary: AccountCommand = { type: 'RemoveSecondaryEmail', actor: manager, data: { noticeId: 'n-1' } };

describe('given an account with a designated email only', () => {
  const given = spec.given([opened]);

  it('changes the designated email, recording the previous one', () => {
    given.when(changeDesignated('ann.lee@acme.com')).then([
      {
        type: 'DesignatedEmailChanged',
        data: { email: 'ann.lee@acme.com', previousEmail: 'ann@acme.com', by: 'acc-mia', noticeId: 'n-1' },
      },
    ]);
  });

  it('decides nothing when the designated email is "changed" to itself', () => {
    given.when(changeDesignated('ann@acme.com')).thenNothingHappened();
  });

  it.each(['ann', 'ann@acme', 'ann @acme.com', ''])(
    'rejects an invalid designated email "%s" on fields.email',
    (email) => {
      const error = given.when(changeDesignated(email)).thenThrows('BAD_USER_INPUT', ['email']);
      expect(error.fields?.email).toEqual([EMAIL_MESSAGE]);
    },
  );

  it('adds a second email, with no previous one', () => {
    given
      .when(addSecondary('ann@home.example'))
      .then([{ type: 'SecondaryEmailAdded', data: { email: 'ann@home.example', by: 'acc-mia' } }]);
  });

  it('rejects a second email equal to the designated email', () => {
    given.when(addSecondary('ann@acme.com')).thenThrows('BAD_USER_INPUT', ['email']);
  });

  it('rejects an invalid second email on fields.email', () => {
    given.when(addSecondary('ann@home')).thenThrows('BAD_USER_INPUT', ['email']);
  });

  it('decides nothing when removing a second email it does not have', () => {
    given.when(removeSecondary).thenNothingHappened();
  });
});

describe('given an account with a second email', () => {
  const given = spec.given([opened, secondEmail]);

  it('rejects making the second email the designated one while it is still the second', () => {
    given.when(changeDesignated('ann@home.example')).thenThrows('BAD_USER_INPUT', ['email']);
  });

  it('replaces the second email, recording the previous one', () => {
    given.when(addSecondary('ann@work.example')).then([
      {
        type: 'SecondaryEmailAdded',
        data: { email: 'ann@work.example', previousEmail: 'ann@home.example', by: 'acc-mia', noticeId: 'n-1' },
      },
    ]);
  });

  it('decides nothing when adding the same second email again', () => {
    given.when(addSecondary('ann@home.example')).thenNothingHappened();
  });

  it('removes the second email, naming it', () => {
    given
      .when(removeSecondary)
      .then([{ type: 'SecondaryEmailRemoved', data: { email: 'ann@home.example', by: 'acc-mia', noticeId: 'n-1' } }]);
  });
});

describe('given the designated email changed and the second email removed', () => {
  const given = spec.given([
    opened,
    secondEmail,
    {
      type: 'DesignatedEmailChanged',
      data: { email: 'ann.lee@acme.com', previousEmail: 'ann@acme.com', by: 'acc-mia' },
    },
    { type: 'SecondaryEmailRemoved', data: { email: 'ann@home.example', by: 'acc-mia' } },
  ]);

  it('sends later emails to the new designated email only', () => {
    given
      .when({
        type: 'SendWelcomeEmail',
        actor: manager,
        now: new Date('2025-03-01T09:00:00.000Z'),
        data: { inviteId: 'inv-1', expiresAt: new Date('2025-03-02T09:00:00.000Z') },
      })
      .then([
        {
          type: 'WelcomeEmailSent',
          data: {
            inviteId: 'inv-1',
            expiresAt: '2025-03-02T09:00:00.000Z',
            recipients: ['ann.lee@acme.com'],
            sentBy: 'acc-mia',
          },
        },
      ]);
  });

  it('lets the previous second email become the designated one', () => {
    given.when(changeDesignated('ann@home.example')).then([
      {
        type: 'DesignatedEmailChanged',
        data: { email: 'ann@home.example', previousEmail: 'ann.lee@acme.com', by: 'acc-mia', noticeId: 'n-1' },
      },
    ]);
  });
});

describe('given an account whose email was sent', () => {
  const given = spec.given([opened]);

  it('records a delivery or a failure without the `delivered` flag', () => {
    given
      .when({
        type: 'RecordEmailOutcome',
        data: { delivered: true, kind: 'welcome', refId: 'inv-1', to: ['ann@acme.com'], providerMessageId: 'pm-1' },
      })
      .then([
        {
          type: 'EmailDelivered',
          data: { kind: 'welcome', refId: 'inv-1', to: ['ann@acme.com'], providerMessageId: 'pm-1' },
        },
      ]);
    given
      .when({
        type: 'RecordEmailOutcome',
        data: {
          delivered: false,
          kind: 'reset',
          refId: 'rst-1',
          to: ['ann@acme.com'],
          errorCode: '406',
          reason: 'Inactive recipient',
        },
      })
      .then([
        {
          type: 'EmailDeliveryFailed',
          data: { kind: 'reset', refId: 'rst-1', to: ['ann@acme.com'], errorCode: '406', reason: 'Inactive recipient' },
        },
      ]);
  });
});

describe('given no account', () => {
  it('answers NOT_FOUND to every email command', () => {
    const given = spec.given([]);
    given.when(changeDesignated('ann@acme.com')).thenThrows('NOT_FOUND');
    given.when(addSecondary('ann@home.example')).thenThrows('NOT_FOUND');
    given.when(removeSecondary).thenThrows('NOT_FOUND');
  });
});
